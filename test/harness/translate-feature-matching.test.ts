import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateTranslation } from '../../src/harness/translate.js';
import { encodeNpy, readNpy } from '../../src/io/npy.js';
import { parseReport } from '../../src/io/report.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';
import { writeTranslator } from './translator-fixtures.js';

/**
 * feature_matching in paired translation runs (--discriminator): an identity translator on pairs of MNIST-sized
 * images gives exactly the value, per-pair values, layer terms, interval and recipe entry of `genbench pixel
 * --discriminator` on the same source and target arrays; through the library, float pairs in [0, 1] give what the
 * same pairs as uint8 give, with the layers asked for.
 */
const shared = optionalSharedAssets();
const subs = join(shared ?? '', 'fixtures/submissions');
const disc = join(subs, 'mnist-dcgan-disc.onnx');
const N = 16;

/** source.npy, target.npy and P.npz in `dir`: the first N reference samples of mnist-dcgan against the next N. */
async function writePairs(dir: string): Promise<{ source: Uint8Array; target: Uint8Array }> {
  const samples = (await readNpy(join(subs, 'mnist-dcgan.reference_samples.npy'))).data as Uint8Array;
  const source = samples.slice(0, N * 784);
  const target = samples.slice(N * 784, 2 * N * 784);
  await writeFile(join(dir, 'source.npy'), encodeNpy(source, [N, 28, 28]));
  await writeFile(join(dir, 'target.npy'), encodeNpy(target, [N, 28, 28]));
  await writeFile(join(dir, 'P.npz'), zipSync({ 'source.npy': encodeNpy(source, [N, 28, 28]), 'target.npy': encodeNpy(target, [N, 28, 28]) }));
  return { source, target };
}

describe.skipIf(!shared)('evaluate --translator --discriminator (mnist-dcgan-disc.onnx: f1, f2, logit)', () => {
  let dir: string;
  let pairs: { source: Uint8Array; target: Uint8Array };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genbench-translate-fm-'));
    pairs = await writePairs(dir);
    await writeTranslator(join(dir, 'id.onnx'), { kind: 'identity', shape: [1, 28, 28] });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('identity on --pairs P.npz gives exactly the feature_matching and interval of genbench pixel on the arrays', async () => {
    const [pixel, evaluated] = await Promise.all([
      runCli(['pixel', '--a', 'source.npy', '--b', 'target.npy', '--range', '255', '--discriminator', disc, '--json', '--quiet'], { cwd: dir }),
      runCli(['evaluate', '--translator', 'id.onnx', '--pairs', 'P.npz', '--discriminator', disc, '--extractor', 'none', '--json', '--quiet'], { cwd: dir }),
    ]);
    expect(pixel.code, pixel.stderr).toBe(0);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const p = JSON.parse(pixel.stdout);
    const r = parseReport(JSON.parse(evaluated.stdout), 'stdout');
    expect(Object.keys(r.metrics)).toEqual(['mse', 'l1', 'psnr', 'ssim', 'feature_matching']);
    const fm = r.metrics['feature_matching'] as unknown as { value: number; perPair: number[]; ci95: [number, number]; layers: Record<string, number> };
    expect(fm.value).toBeGreaterThan(0);
    expect(fm.value).toBe(p.feature_matching.value);
    expect(fm.perPair).toEqual(p.feature_matching.perPair);
    expect(fm.layers).toEqual(p.feature_matching.layers);
    expect(fm.ci95).toEqual(p.feature_matching.ci95);
    expect(r.recipe.featureMatching).toEqual(p.recipe.featureMatching);
    expect(r.recipe.featureMatching).toMatchObject({ extractor: 'discriminator:mnist-dcgan-disc', layers: [{ name: 'f1', dim: 12544 }, { name: 'f2', dim: 6272 }, { name: 'logit', dim: 1 }], quantisation: expect.stringMatching(/data range 0\.\.255$/) });
  });

  it('through the library: float pairs in [0, 1] score as the same pairs in uint8, on the layers asked for', async () => {
    const float = (u: Uint8Array) => Float32Array.from(u, (v) => v / 255);
    await writeFile(join(dir, 'F.npz'), zipSync({ 'source.npy': encodeNpy(float(pairs.source), [N, 28, 28]), 'target.npy': encodeNpy(float(pairs.target), [N, 28, 28]) }));
    const common = { translator: join(dir, 'id.onnx'), discriminator: disc, layers: ['f2'], extractor: 'none', bootstrap: 0 } as const;
    const [u8, f] = await Promise.all([
      evaluateTranslation({ ...common, pairs: join(dir, 'P.npz') }),
      evaluateTranslation({ ...common, pairs: join(dir, 'F.npz'), pairsRange: [0, 1] }),
    ]);
    const fm = f.metrics['feature_matching']!;
    expect(Object.keys(fm['layers'] as object)).toEqual(['f2']);
    expect(fm.ci95).toBeUndefined();
    expect(fm.value).toBe(u8.metrics['feature_matching']!.value);
    expect(f.recipe.featureMatching?.quantisation).toMatch(/data range 0\.\.1$/);
  });
});
