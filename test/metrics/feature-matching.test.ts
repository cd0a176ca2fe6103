import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapGroup, withIntervals } from '../../metrics/bootstrap.js';
import { featureMatching, featureMatchingDescriptor } from '../../metrics/feature-matching.js';
import { getMetric } from '../../metrics/index.js';
import type { FeaturePairs } from '../../metrics/types.js';
import { createExtractor } from '../../src/features/index.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { Rng } from '../../src/rng.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';

const m = (rows: number, cols: number, values: number[]) => ({ rows, cols, data: Float64Array.from(values) });

describe('feature_matching (pure)', () => {
  it('is the mean over pairs of sum_l ||a_l - b_l||^2 / dim_l, with per-pair and per-layer terms', () => {
    // pair 0: f1 diff (1, 0) -> 1/2, f2 diff 0 -> 0; pair 1: f1 diff (1, 1) -> 2/2, f2 diff 1 -> 1
    const pairs: FeaturePairs = {
      generated: m(2, 3, [1, 0, 5, 1, 1, 3]),
      reference: m(2, 3, [0, 0, 5, 0, 0, 2]),
      layers: [{ name: 'f1', dim: 2 }, { name: 'f2', dim: 1 }],
    };
    const r = featureMatching(pairs);
    expect(r.perPair).toEqual([0.5, 2]);
    expect(r.value).toBe(1.25);
    expect(r.layers).toEqual({ f1: 0.75, f2: 0.5 });
  });

  it('is 0 for identical pairs, symmetric in its roles, and matches the direct formula on random data', () => {
    const rng = new Rng(3);
    const n = 40;
    const layers = [{ name: 'a', dim: 7 }, { name: 'b', dim: 3 }, { name: 'c', dim: 1 }];
    const g = m(n, 11, Array.from(rng.fillNormal(new Float64Array(n * 11))));
    const ref = m(n, 11, Array.from(rng.fillNormal(new Float64Array(n * 11))));
    expect(featureMatching({ generated: g, reference: g, layers }).value).toBe(0);
    const r = featureMatching({ generated: g, reference: ref, layers });
    expect(featureMatching({ generated: ref, reference: g, layers }).value).toBeCloseTo(r.value, 12);
    let want = 0;
    for (let i = 0; i < n; i++) {
      let off = 0;
      for (const l of layers) {
        let s = 0;
        for (let k = 0; k < l.dim; k++) s += (g.data[i * 11 + off + k]! - ref.data[i * 11 + off + k]!) ** 2;
        want += s / l.dim;
        off += l.dim;
      }
    }
    expect(r.value).toBeCloseTo(want / n, 12);
    expect(r.value).toBeCloseTo(2 * layers.length, -0.5); // E||x - y||^2 / dim = 2 per layer for N(0,1) features
  });

  it('is registered, lower-is-better, and bootstraps over pairs', async () => {
    expect(getMetric('feature_matching')).toBe(featureMatchingDescriptor);
    expect(featureMatchingDescriptor.higherIsBetter).toBe(false);
    const pairs: FeaturePairs = { generated: m(4, 1, [1, 2, 3, 4]), reference: m(4, 1, [1, 1, 1, 1]), layers: [{ name: 'x', dim: 1 }] };
    const r = withIntervals(await bootstrapGroup(featureMatchingDescriptor, pairs, {}, { resamples: 200, seed: 1 }));
    expect(r.feature_matching!.value).toBe(3.5); // (0 + 1 + 4 + 9) / 4
    const [lo, hi] = r.feature_matching!.ci95!;
    expect(lo).toBeLessThan(3.5);
    expect(hi).toBeGreaterThan(3.5);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(9);
  });

  it('names the problem with mismatched inputs', () => {
    const layers = [{ name: 'x', dim: 2 }];
    expect(() => featureMatching({ generated: m(2, 2, [0, 0, 0, 0]), reference: m(1, 2, [0, 0]), layers })).toThrow(/generated features are 2x2 but reference features are 1x2/);
    expect(() => featureMatching({ generated: m(1, 2, [0, 0]), reference: m(1, 2, [0, 0]), layers: [{ name: 'x', dim: 3 }] })).toThrow(/do not add up to the 2 feature columns/);
  });
});

const shared = optionalSharedAssets();

describe.skipIf(!shared)('genbench pixel --discriminator (mnist-dcgan-disc.onnx: f1, f2, logit)', () => {
  const subs = join(shared ?? '', 'fixtures/submissions');
  const disc = join(subs, 'mnist-dcgan-disc.onnx');
  let tmp: string;
  let a: string;
  let b: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'genbench-fm-'));
    const samples = await readNpy(join(subs, 'mnist-dcgan.reference_samples.npy'));
    const n = 64;
    const first = (samples.data as Uint8Array).slice(0, n * 784);
    const other = (samples.data as Uint8Array).slice(n * 784, 2 * n * 784);
    a = join(tmp, 'a.npy');
    b = join(tmp, 'b.npy');
    await writeNpy(a, first, [n, 28, 28]);
    await writeNpy(b, other, [n, 28, 28]);
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('adds feature_matching to the pixel metrics, equal to the formula on the extractor\'s own features', async () => {
    const r = await runCli(['pixel', '--a', a, '--b', b, '--range', '255', '--discriminator', disc, '--json', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['mse', 'l1', 'psnr', 'ssim', 'feature_matching', 'recipe']);
    const fm = out.feature_matching;
    expect(fm.perPair).toHaveLength(64);
    expect(Object.keys(fm.layers)).toEqual(['f1', 'f2', 'logit']);
    expect(out.recipe.featureMatching).toMatchObject({ extractor: 'discriminator:mnist-dcgan-disc', layers: [{ name: 'f1', dim: 12544 }, { name: 'f2', dim: 6272 }, { name: 'logit', dim: 1 }] });

    const fx = await createExtractor(`discriminator:${disc}`);
    try {
      const load = async (p: string) => {
        const x = await readNpy(p);
        return { data: x.data as Uint8Array, n: 64, height: 28, width: 28, channels: 1 };
      };
      const fa = await fx.extract(await load(a), { layers: ['f1', 'f2', 'logit'] });
      const fb = await fx.extract(await load(b), { layers: ['f1', 'f2', 'logit'] });
      for (const l of ['f1', 'f2', 'logit']) {
        const single = featureMatching({ generated: fa[l]!, reference: fb[l]!, layers: [{ name: l, dim: fa[l]!.cols }] });
        expect(fm.layers[l]).toBeCloseTo(single.value, 9);
      }
      expect(fm.value).toBeCloseTo(fm.layers.f1 + fm.layers.f2 + fm.layers.logit, 9);
    } finally {
      await fx.dispose();
    }
  });

  it('is 0 for identical arrays, takes --layers and --bootstrap, and needs --discriminator', async () => {
    const r = await runCli(['pixel', '--a', a, '--b', a, '--range', '255', '--metrics', 'feature_matching', '--discriminator', disc, '--layers', 'f2', '--bootstrap', '20', '--json', '--quiet']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['feature_matching', 'recipe']);
    expect(out.feature_matching.value).toBe(0);
    expect(out.feature_matching.ci95).toEqual([0, 0]);
    expect(Object.keys(out.feature_matching.layers)).toEqual(['f2']);
    const bad = await runCli(['pixel', '--a', a, '--b', b, '--range', '255', '--metrics', 'feature_matching']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/feature_matching needs --discriminator/);
  });
});
