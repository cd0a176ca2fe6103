import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pixelMetrics } from '../../metrics/pixel.js';
import { decodeImage } from '../../src/io/image-codec.js';
import { encodeNpy } from '../../src/io/npy.js';
import { parseReport, readReport } from '../../src/io/report.js';
import { evaluateTranslation } from '../../src/harness/translate.js';
import { Rng } from '../../src/rng.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';
import { writeTranslator } from './translator-fixtures.js';

/**
 * Image-to-image translation: an identity translator scored on pairs gives exactly what `genbench pixel` gives on
 * the same source and target arrays (values, per-pair values and intervals), through the CLI on an .npz of uint8
 * pairs and through the library on float pairs; the built-in colin27-t1-bet task end to end; and the output checks.
 */
const shared = optionalSharedAssets();
let dir: string;
const N = 6;
const SIDE = 16;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genbench-translate-'));
  const rng = new Rng(7);
  const source = Uint8Array.from({ length: N * SIDE * SIDE }, () => Math.floor(rng.float() * 256));
  const target = Uint8Array.from(source, (v, i) => Math.min(255, Math.max(0, v + Math.round((rng.float() - 0.5) * 80 * ((i % 7) / 7)))));
  await writeFile(join(dir, 'a.npy'), encodeNpy(source, [N, SIDE, SIDE]));
  await writeFile(join(dir, 'b.npy'), encodeNpy(target, [N, SIDE, SIDE]));
  await writeFile(join(dir, 'P.npz'), zipSync({ 'source.npy': encodeNpy(source, [N, SIDE, SIDE]), 'target.npy': encodeNpy(target, [N, SIDE, SIDE]) }));
  await writeTranslator(join(dir, 'id.onnx'), { kind: 'identity', shape: [1, SIDE, SIDE] });
  await writeTranslator(join(dir, 'x255.onnx'), { kind: 'x255', shape: [1, SIDE, SIDE] });
  await writeTranslator(join(dir, 'id64.onnx'), { kind: 'identity', shape: [1, 64, 64], task: 'colin27-t1-bet' });
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('genbench evaluate --translator', () => {
  it('identity on --pairs P.npz gives exactly the PSNR, SSIM, MSE, L1 and intervals of genbench pixel on the arrays', async () => {
    const [pixel, evaluated] = await Promise.all([
      runCli(['pixel', '--a', 'a.npy', '--b', 'b.npy', '--range', '255', '--json', '--quiet'], { cwd: dir }),
      runCli(['evaluate', '--translator', 'id.onnx', '--pairs', 'P.npz', '--extractor', 'none', '--out', 'r.json', '--json', '--quiet'], { cwd: dir }),
    ]);
    expect(pixel.code, pixel.stderr).toBe(0);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const p = JSON.parse(pixel.stdout) as Record<string, { value: number; perPair: number[]; ci95: [number, number] }>;
    const r = parseReport(JSON.parse(evaluated.stdout), 'stdout');
    for (const id of ['mse', 'l1', 'psnr', 'ssim']) {
      const m = r.metrics[id] as unknown as { value: number; perPair: number[]; ci95: [number, number] };
      expect(m.value, id).toBe(p[id]!.value);
      expect(m.perPair, id).toEqual(p[id]!.perPair);
      expect(m.ci95, id).toEqual(p[id]!.ci95);
    }
    expect(r.metrics['psnr']!.value).toBeGreaterThan(10);
    expect(r.recipe.params['translation']).toMatchObject({ dataRange: '0..255', inputRange: '[0,1]', outputRange: '[0,1]' });
    expect(r.recipe.bootstrap).toMatchObject({ resamples: 200, covers: 'sampling of the pairs (resampled as pairs)' });
    expect(r.model.manifest['kind']).toBe('translator');
    expect(r.dataset).toMatchObject({ name: 'P.npz', split: 'all', count: N, labelled: false });
    expect((await readReport(join(dir, 'r.json'))).metrics['ssim']!.value).toBe(p['ssim']!.value);
    // the grid of input | output | target triplets beside the report: 6 tiles of 3 x 16 px (+ 1-px gaps) scaled 2x, 6-px padding
    const grid = decodeImage(await readFile(join(dir, 'r.grid.png')), 'r.grid.png');
    expect([grid.width, grid.height]).toEqual([3 * (2 * (3 * SIDE + 2)) + 4 * 6, 2 * (2 * SIDE) + 3 * 6]);
  });

  it('float pairs in a stated range: the library gives pixelMetrics of source against target exactly', async () => {
    const rng = new Rng(3);
    const s = Float32Array.from({ length: 4 * 12 * 12 * 3 }, () => rng.float());
    const t = Float32Array.from(s, (v) => Math.min(1, v * 0.9 + 0.05));
    await writeFile(join(dir, 'f.npz'), zipSync({ 'source.npy': encodeNpy(s, [4, 12, 12, 3]), 'target.npy': encodeNpy(t, [4, 12, 12, 3]) }));
    await writeTranslator(join(dir, 'id3.onnx'), { kind: 'identity', shape: [3, 12, 12] });
    const r = await evaluateTranslation({ translator: join(dir, 'id3.onnx'), pairs: join(dir, 'f.npz'), pairsRange: [0, 1], bootstrap: 0, extractor: 'none' });
    const stack = (d: Float32Array) => ({ n: 4, height: 12, width: 12, channels: 3, data: Float64Array.from(d) });
    const want = pixelMetrics({ generated: stack(s), reference: stack(t) }, { range: 1 });
    for (const id of ['mse', 'l1', 'psnr', 'ssim'] as const) expect(r.metrics[id]!.value, id).toBe(want[id]!.value);
    expect(r.recipe.bootstrap).toBeNull();
    expect(r.recipe.sampling.quantisation).toMatch(/^none/);
  });

  it('refuses outputs outside the declared range, and a translator on a task it does not name', async () => {
    await expect(evaluateTranslation({ translator: join(dir, 'x255.onnx'), pairs: join(dir, 'P.npz'), bootstrap: 0 })).rejects.toThrow(/x255\.genbench\.json: field 'output_range' says \[0,1\] but x255-translator output 127\.5 at value 0/);
    await writeFile(join(dir, 'other.json'), JSON.stringify({ name: 'other', source: 'a.nii', target: 'b.nii', plane: 'axial', test: { every: 2, offset: 0 }, size: [64, 64], window: { source: { kind: 'range', min: 0, max: 1 }, target: { kind: 'range', min: 0, max: 1 } } }));
    await expect(evaluateTranslation({ translator: join(dir, 'id64.onnx'), task: join(dir, 'other.json'), bootstrap: 0 })).rejects.toThrow(/id64\.genbench\.json: field 'task' is 'colin27-t1-bet' but the task evaluated is 'other'/);
  });

  it.skipIf(!shared)('colin27-t1-bet end to end: 26 test slices, a report with FD and its small-n warnings, a grid of triplets', async () => {
    const r = await runCli(['evaluate', '--translator', 'id64.onnx', '--task', 'colin27-t1-bet', '--extractor', 'mobilenet-v1-0.25', '--out', 'c.json', '--bootstrap', '50'], { cwd: dir, env: { GENBENCH_ASSETS: shared } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^identity-translator on colin27-t1-bet test: 26 pairs/);
    const rep = await readReport(join(dir, 'c.json'));
    expect(rep.dataset.loading).toMatchObject({ plane: 'axial', size: '64x64', sourceWindow: '0..178' });
    expect(rep.dataset.files.map((f) => f.id)).toEqual(['datasets/colin27/ch2.nii.gz', 'datasets/colin27/ch2bet.nii.gz']);
    const ssim = rep.metrics['ssim']!;
    expect(ssim.value!).toBeGreaterThan(0);
    expect(ssim.value!).toBeLessThan(1); // the skull is still there
    expect(ssim.ci95![0]).toBeLessThan(ssim.ci95![1]);
    // FD, KID, precision and recall of the outputs against the targets: computed (26 rows is above each minimum), with
    // the small-n warnings of generator reports
    expect(rep.recipe.metrics).toEqual(['mse', 'l1', 'psnr', 'ssim', 'fd', 'kid', 'precision', 'recall']);
    expect(rep.recipe.extractor.id).toBe('mobilenet-v1-0.25');
    expect(rep.metrics['fd']!.value!).toBeGreaterThan(0);
    expect(rep.metrics['fd']!.ci95![0]).toBeLessThan(rep.metrics['fd']!.ci95![1]);
    expect(rep.recipe.params['kid']).toMatchObject({ subsetSize: 26, subsets: 1 });
    expect(rep.warnings[0]).toBe('only 26 pairs: the intervals are wide and rest on few pairs');
    expect(rep.warnings).toContainEqual(expect.stringMatching(/^the covariance of the 256 features is rank-deficient \(rank 25 < 256, n = 26\).*raise the number of images scored above 256/));
    expect(rep.warnings).toContainEqual(expect.stringMatching(/^kid: subset size lowered from 1000 to 26/));
    const grid = decodeImage(await readFile(join(dir, 'c.grid.png')), 'c.grid.png');
    expect([grid.width, grid.height]).toEqual([4 * (3 * 64 + 2) + 5 * 6, 4 * 64 + 5 * 6]);
  });
});
