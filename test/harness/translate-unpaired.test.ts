import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNPAIRED_TASKS } from '../../src/data/paired-tasks.js';
import type { FeatureExtractor } from '../../src/features/types.js';
import { evaluateTranslation } from '../../src/harness/translate.js';
import { decodeImage } from '../../src/io/image-codec.js';
import type { ImageBatchU8 } from '../../src/io/image.js';
import { encodeNpy } from '../../src/io/npy.js';
import { readReport } from '../../src/io/report.js';
import { wilsonInterval } from '../../src/stats/index.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';
import { writeTranslator } from './translator-fixtures.js';

/**
 * Unpaired evaluation: an identity translator preserves content exactly (mean SSIM of input and output 1) and an
 * identity reverse translator closes the cycle exactly (L1 0), on user data (--source/--target) and on the built-in
 * pneumonia-normal-to-pneumonia task end to end with FD against the target domain; the target-domain classifier's
 * share is the share of outputs whose most probable class is the target, with its Wilson interval.
 */
const shared = optionalSharedAssets();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genbench-translate-unpaired-'));
  await writeTranslator(join(dir, 'id16.onnx'), { kind: 'identity', shape: [1, 16, 16] });
  await writeTranslator(join(dir, 'id28.onnx'), { kind: 'identity', shape: [1, 28, 28], task: 'pneumonia-normal-to-pneumonia' });
  const ramp = (n: number, k: number) => Uint8Array.from({ length: n * 256 }, (_, i) => (i * k + (i >> 8) * 31) % 256);
  await writeFile(join(dir, 'a.npy'), encodeNpy(ramp(8, 7), [8, 16, 16]));
  await writeFile(join(dir, 'b.npy'), encodeNpy(ramp(5, 3), [5, 16, 16]));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** A stand-in classifier: class 1 when an image's mean is above mid-grey. */
const brightness: FeatureExtractor = {
  id: 'brightness',
  keyId: 'brightness',
  layers: [{ name: 'p', dim: 2, kind: 'probabilities' }],
  defaults: { features: 'p', classScores: 'p' },
  preprocessing: { height: 28, width: 28, filter: 'area', range: [0, 1], channels: 1, grayToRgb: 'replicate', rgbToGray: 'bt601-luma', resizeOn: 'uint8', layout: 'NHWC' },
  weightsSha256: '0'.repeat(64),
  engine: 'test',
  extract: async (b) => ({ p: { rows: b.n, cols: 2, data: Float64Array.from({ length: 2 * b.n }, (_, i) => (i % 2 === 1) === bright(b, i >> 1) ? 1 : 0) } }),
  dispose: async () => {},
};

function bright(b: ImageBatchU8, i: number): boolean {
  const size = b.height * b.width * b.channels;
  let s = 0;
  for (let k = i * size; k < (i + 1) * size; k++) s += b.data[k]!;
  return s / size > 127.5;
}

describe('unpaired translation', () => {
  it('identity on --source/--target: content SSIM 1 and cycle error 0 with an identity reverse translator', async () => {
    const r = await evaluateTranslation({ translator: join(dir, 'id16.onnx'), source: join(dir, 'a.npy'), target: join(dir, 'b.npy'), reverseTranslator: join(dir, 'id16.onnx'), extractor: 'none', bootstrap: 20 });
    expect(r.metrics['content_ssim']).toMatchObject({ value: 1, ci95: [1, 1] });
    expect(r.metrics['cycle_l1']).toMatchObject({ value: 0, ci95: [0, 0] });
    expect(r.recipe.metrics).toEqual(['content_ssim', 'cycle_l1']);
    expect(r.recipe.n).toEqual({ generated: 8, reference: 5 });
    expect(r.recipe.params['translation']).toMatchObject({ mode: 'unpaired' });
    expect(r.recipe.params['cycle']).toMatchObject({ reverse: 'identity-translator' });
    expect(Object.keys(r.model.files)).toEqual(['id16.onnx', 'reverse:id16.onnx']);
    expect(r.dataset).toMatchObject({ name: 'a.npy -> b.npy', split: 'all', count: 8 });
    expect(r.warnings[0]).toBe('only 8 source and 5 target images: the intervals are wide and rest on few images');
  });

  it.skipIf(!shared)('the target-domain classifier: the share of outputs in the target class, with its Wilson interval', async () => {
    const r = await evaluateTranslation({ translator: join(dir, 'id28.onnx'), task: 'pneumonia-normal-to-pneumonia', split: 'test[:40]', extractor: 'none', classifier: brightness, bootstrap: 0 });
    const data = await UNPAIRED_TASKS.get('pneumonia-normal-to-pneumonia')!.load('test[:40]');
    const count = (b: typeof data.source) => Array.from({ length: b.n }, (_, i) => bright(b as ImageBatchU8, i)).filter(Boolean).length;
    const k = count(data.source);
    expect(r.metrics['target_share']).toMatchObject({ value: k / 40, ci95: wilsonInterval(k, 40), classified: k, of: 40, targetClass: 'pneumonia', inputShare: k / 40, realTargetShare: count(data.target) / 40 });
    expect(r.recipe.params['classifier']).toMatchObject({ extractor: 'brightness', targetLabel: 1, layer: 'p' });
    const none = await evaluateTranslation({ translator: join(dir, 'id28.onnx'), task: 'pneumonia-normal-to-pneumonia', split: 'test[:4]', extractor: 'none', classifier: false, bootstrap: 0 });
    expect(none.metrics['target_share']).toBeUndefined();
  });

  it.skipIf(!shared)('pneumonia-normal-to-pneumonia end to end: FD against the target domain, content SSIM 1, cycle 0, a grid', async () => {
    const args = ['evaluate', '--translator', 'id28.onnx', '--task', 'pneumonia-normal-to-pneumonia', '--split', 'test[:24]', '--reverse-translator', 'id28.onnx'];
    const r = await runCli([...args, '--extractor', 'mobilenet-v1-0.25', '--no-classifier', '--bootstrap', '20', '--out', 'u.json'], { cwd: dir, env: { GENBENCH_ASSETS: shared } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^identity-translator on pneumonia-normal-to-pneumonia test\[0:24\]: 24 source -> 24 target images \(unpaired\)/);
    const rep = await readReport(join(dir, 'u.json'));
    expect(rep.recipe.metrics).toEqual(['fd', 'kid', 'precision', 'recall', 'content_ssim', 'cycle_l1']);
    expect(rep.recipe.rankedBy).toBe('fd');
    expect(rep.metrics['fd']!.value!).toBeGreaterThan(0); // normal images are not pneumonia images
    expect(rep.metrics['content_ssim']!.value).toBe(1);
    expect(rep.metrics['cycle_l1']!.value).toBe(0);
    expect(rep.dataset.loading).toMatchObject({ source: "the split's images labelled 0 (normal)", sourceCount: 24, targetCount: 24 });
    // input | output | reconstruction tiles of 28 px (+ 1-px gaps) scaled 2x, 16 in a 4x4 grid with 6-px padding
    const grid = decodeImage(await readFile(join(dir, 'u.grid.png')), 'u.grid.png');
    expect([grid.width, grid.height]).toEqual([4 * 2 * (3 * 28 + 2) + 5 * 6, 4 * 2 * 28 + 5 * 6]);
  });
});
