import { describe, expect, it } from 'vitest';
import { defaultSplit, trainingOverlapWarning } from '../../src/harness/reference.js';

const mnist = { name: 'mnist', splits: [{ name: 'train' }, { name: 'test' }] };

describe('defaultSplit', () => {
  it('holds out the training rows named by the manifest, else uses test', () => {
    expect(defaultSplit(mnist, { dataset: 'mnist', train_split: '0-7999' })).toBe('test[8000:]');
    expect(defaultSplit(mnist, { dataset: 'mnist', train_split: 'test[:8000]' })).toBe('test[8000:]');
    expect(defaultSplit(mnist, { dataset: 'mnist', train_split: 'test[2000:]' })).toBe('test[:2000]');
    expect(defaultSplit(mnist, { dataset: 'mnist', train_split: 'train' })).toBe('test');
    expect(defaultSplit(mnist, { dataset: 'other', train_split: '0-7999' })).toBe('test');
    expect(defaultSplit(mnist, {})).toBe('test');
    expect(defaultSplit({ name: 'folder', splits: [{ name: 'all' }] }, {})).toBe('all');
    // an exported manifest's note after the split: the split is read, a stated image count checked
    const pneumonia = { name: 'pneumoniamnist', splits: [{ name: 'train', count: 2428 }, { name: 'val', count: 270 }, { name: 'test', count: 468 }] };
    expect(defaultSplit(pneumonia, { dataset: 'pneumoniamnist', train_split: 'train (2428 images, pneumoniamnist_balanced.npz)' })).toBe('test');
    expect(() => defaultSplit(pneumonia, { dataset: 'pneumoniamnist', train_split: 'train (5232 images)' })).toThrow(/says 5232 images, but pneumoniamnist train has 2428/);
    expect(() => defaultSplit(pneumonia, { dataset: 'pneumoniamnist', train_split: 'banana (2428 images)' })).not.toThrow(); // a split the dataset lacks: no count to check
    expect(() => defaultSplit(mnist, { dataset: 'mnist', train_split: '(2428 images)' })).toThrow(/is not a split expression/);
  });
});

describe('trainingOverlapWarning', () => {
  const t = { dataset: 'mnist', train_split: '0-7999' };
  it('warns when the reference may hold training rows, not when it is disjoint', () => {
    expect(trainingOverlapWarning('mnist', 'test[0:1000]', t)).toMatch(/trained on mnist '0-7999'.*'test\[0:1000\]'/);
    expect(trainingOverlapWarning('mnist', 'test', t)).toMatch(/pick a held-out --split/);
    expect(trainingOverlapWarning('mnist', 'test[8000:9000]', t)).toBeUndefined();
    expect(trainingOverlapWarning('mnist', 'test', { dataset: 'mnist', train_split: 'train' })).toBeUndefined();
    expect(trainingOverlapWarning('polygons', 'test', t)).toBeUndefined();
    expect(() => trainingOverlapWarning('mnist', 'test', { dataset: 'mnist', train_split: 'some images' })).toThrow(/train_split 'some images' is not a split expression/);
  });

  it('compares seeded random partitions row by row when the split size is known', () => {
    const s = { dataset: 'mnist', train_split: 'test~0[:8000]' };
    expect(defaultSplit(mnist, s)).toBe('test~0[8000:]');
    expect(trainingOverlapWarning('mnist', 'test~0[8000:]', s, 10000)).toBeUndefined();
    expect(trainingOverlapWarning('mnist', 'test[8000:]', s, 10000)).toMatch(/and 1[0-9]{3} of the reference 'test\[8000:\]' images are among them/);
    expect(trainingOverlapWarning('mnist', 'test~0[8000:]', s)).toMatch(/may contain/);
  });
});
