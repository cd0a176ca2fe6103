import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDataset } from '../../src/data/index.js';
import { createExtractor } from '../../src/features/index.js';
import type { ImageBatchU8 } from '../../src/io/image.js';
import { encodeNpy } from '../../src/io/npy.js';
import { readReport } from '../../src/io/report.js';
import { fitClassifierInput, userDomainClassifier } from '../../src/harness/target-classifier.js';
import { wilsonInterval } from '../../src/stats/index.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';
import { writeTranslator } from './translator-fixtures.js';

/**
 * The target-domain classifier of user unpaired data: `--classifier classifier:<run folder>` with `--target-class`
 * gives --source/--target data the `target_share` a built-in unpaired task reports, equal to a direct count of the
 * classifier's most probable classes on the outputs (an identity translator: the outputs are the MNIST digits of
 * --source). Class names and labels resolve from the classifier's dataset without opening or training it.
 */
const shared = optionalSharedAssets();
let dir: string;

describe('the target class of a built-in classifier, without opening it', () => {
  it('a class name of its dataset first, else a label; the input size is the dataset image size', async () => {
    expect(await userDomainClassifier('classifier:pneumoniamnist', 'pneumonia')).toEqual({ extractor: 'classifier:pneumoniamnist', targetLabel: 1, targetClass: 'pneumonia', input: { height: 28, width: 28 } });
    expect(await userDomainClassifier('classifier:pneumoniamnist', 0)).toMatchObject({ targetLabel: 0, targetClass: 'normal' });
    expect(await userDomainClassifier('classifier:polygons', '3')).toMatchObject({ targetLabel: 0, targetClass: '3' }); // triangles
    expect(await userDomainClassifier('classifier:mnist', '7')).toMatchObject({ targetLabel: 7, targetClass: '7' });
    await expect(userDomainClassifier('classifier:polygons', '6')).resolves.toMatchObject({ targetLabel: 3 });
    await expect(userDomainClassifier('classifier:polygons', '7')).rejects.toThrow("--target-class '7': classifier:polygons has 4 classes; give a label 0..3 or a class name (3, 4, 5, 6)");
  });

  it('resizes images of its aspect ratio and refuses others', () => {
    const input = { height: 28, width: 28 };
    expect(fitClassifierInput('classifier:mnist', input, [{ label: 'a.npy', height: 28, width: 28 }])).toBeUndefined();
    expect(fitClassifierInput('classifier:mnist', input, [{ label: 'a.npy', height: 16, width: 16 }, { label: 'b.npy', height: 28, width: 28 }])).toBe('16x16 -> 28x28');
    expect(() => fitClassifierInput('classifier:mnist', input, [{ label: 'b.npy', height: 16, width: 32 }])).toThrow(/^--classifier classifier:mnist: takes 28x28 images and b\.npy holds 16x32/);
  });
});

describe.skipIf(!shared)('--classifier on --source/--target: MNIST digits through an identity translator', () => {
  const env = () => ({ GENBENCH_ASSETS: shared!, GENBENCH_HOME: join(dir, 'home') });
  let source: ImageBatchU8;
  let target: ImageBatchU8;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genbench-target-classifier-'));
    process.env['GENBENCH_HOME'] = join(dir, 'home');
    const mnist = getDataset('mnist');
    source = (await mnist.load('test[8000:8032]')).images;
    target = (await mnist.load('test[8032:8064]')).images;
    await writeFile(join(dir, 'a.npy'), encodeNpy(source.data, [source.n, 28, 28]));
    await writeFile(join(dir, 'b.npy'), encodeNpy(target.data, [target.n, 28, 28]));
    await writeTranslator(join(dir, 'id28.onnx'), { kind: 'identity', shape: [1, 28, 28] });
    // a classifier of 20 steps: a few seconds, and enough to tell some digits apart
    const r = await runCli(['train', '--model', 'classifier', '--dataset', 'mnist', '--split', 'test[:640]', '--steps', '20', '--batch', '32', '--out', 'clf', '--quiet'], { cwd: dir, env: env() });
    expect(r.code, r.stderr).toBe(0);
  }, 30_000);
  afterAll(async () => {
    delete process.env['GENBENCH_HOME'];
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('target_share is the share of outputs whose most probable class is --target-class, with its Wilson interval', async () => {
    const fx = await createExtractor(`classifier:${join(dir, 'clf')}`);
    const predicted = async (b: ImageBatchU8) => {
      const p = (await fx.extract(b, { layers: ['softmax'] }))['softmax']!;
      return Array.from({ length: p.rows }, (_, i) => {
        const row = Array.from(p.data.subarray(i * p.cols, (i + 1) * p.cols));
        return row.indexOf(Math.max(...row));
      });
    };
    const [onSource, onTarget] = [await predicted(source), await predicted(target)];
    await fx.dispose();
    const counts = new Map<number, number>();
    for (const c of onSource) counts.set(c, (counts.get(c) ?? 0) + 1);
    const label = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0]; // the class it sees most often
    const k = counts.get(label)!;
    expect(k).toBeLessThan(source.n); // it tells some digits apart: the count is not trivially all of them

    const args = ['evaluate', '--translator', 'id28.onnx', '--source', 'a.npy', '--target', 'b.npy', '--classifier', 'classifier:clf', '--target-class', String(label)];
    const r = await runCli([...args, '--extractor', 'none', '--bootstrap', '0', '--out', 'r.json', '--quiet'], { cwd: dir, env: env() });
    expect(r.code, r.stderr).toBe(0);
    const rep = await readReport(join(dir, 'r.json'));
    expect(rep.recipe.metrics).toEqual(['content_ssim', 'target_share']);
    expect(rep.metrics['target_share']).toMatchObject({
      value: k / source.n,
      ci95: wilsonInterval(k, source.n),
      classified: k,
      of: source.n,
      targetClass: String(label),
      inputShare: k / source.n, // identity: the outputs are the inputs
      realTargetShare: onTarget.filter((c) => c === label).length / target.n,
    });
    expect(rep.recipe.params['classifier']).toMatchObject({ extractor: 'classifier:classifier-mnist', layer: 'softmax', targetLabel: label, targetClass: String(label), rule: 'most probable class is the target class' });
    expect(rep.recipe.params['classifier']!['resize']).toBeUndefined();
  }, 20_000);
});
