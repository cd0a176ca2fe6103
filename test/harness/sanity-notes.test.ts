import { describe, expect, it } from 'vitest';
import { uninformativeMetrics } from '../../src/harness/sanity-notes.js';
import type { ImageBatchU8 } from '../../src/io/image.js';

/** `n` 2x2 images with `channels` channels. */
function images(n: number, channels: 1 | 3): ImageBatchU8 {
  return { data: new Uint8Array(n * 4 * channels), n, height: 2, width: 2, channels };
}

describe('uninformativeMetrics', () => {
  const mobilenet = { keyId: 'mobilenet-v1-0.25', defaults: { features: 'f', classScores: 'p' }, layers: [{ name: 'f', dim: 256, kind: 'features' as const }, { name: 'p', dim: 1000, kind: 'probabilities' as const }] };
  const gray = images(20, 1);
  const labels = Int32Array.from({ length: 20 }, (_, i) => i % 10);
  it('marks IS from ImageNet classes on grayscale images, naming the classes and a fix', () => {
    const notes = uninformativeMetrics({ fx: mobilenet, images: gray, labels, dataset: 'mnist' });
    expect(Object.keys(notes)).toEqual(['is']);
    expect(notes['is']).toMatch(/1000 ImageNet classes; on grayscale mnist \(10 classes\).*--extractor classifier:mnist/);
  });
  it('leaves RGB images and the dataset classifiers alone', () => {
    expect(uninformativeMetrics({ fx: mobilenet, images: images(20, 3), dataset: 'polygons' })).toEqual({});
    expect(uninformativeMetrics({ fx: { ...mobilenet, keyId: 'classifier:mnist' }, images: gray, dataset: 'mnist' })).toEqual({});
  });
});
