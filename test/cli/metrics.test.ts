import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../../src/io/npy.js';
import { Rng } from '../../src/rng.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';

const shared = optionalSharedAssets();
let dir = '';

function npy(name: string, data: Float32Array | Float64Array | Uint8Array | Int32Array, shape: number[]): string {
  const p = join(dir, name);
  writeFileSync(p, encodeNpy(data, shape));
  return p;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genbench-metrics-'));
  const rng = new Rng(1);
  npy('g.npy', Float32Array.from(rng.fillNormal(new Float64Array(60 * 4))), [60, 4]);
  npy('r.npy', Float32Array.from(rng.fillNormal(new Float64Array(50 * 4))), [50, 4]);
  npy('r5.npy', new Float32Array(50 * 5), [50, 5]);
  npy('nan.npy', Float32Array.from({ length: 40 }, (_, i) => (i === 17 ? NaN : i)), [10, 4]);
  npy('one.npy', new Float32Array(4), [1, 4]);
  npy('int.npy', new Int32Array(40), [10, 4]);
  npy('rank3.npy', new Float32Array(40), [10, 2, 2]);
  npy('img-a.npy', Uint8Array.from({ length: 2 * 16 * 16 }, (_, i) => (i * 7) % 256), [2, 16, 16]);
  npy('img-b.npy', Uint8Array.from({ length: 2 * 16 * 16 }, (_, i) => (i * 7 + 3) % 256), [2, 16, 16]);
  writeFileSync(join(dir, 'empty.npy'), '');
});

const f = (name: string) => join(dir, name);

describe('genbench metrics: bad input exits 2 with one line', () => {
  const cases: [string, string[], RegExp][] = [
    ['different feature sizes', ['--generated', 'g.npy', '--reference', 'r5.npy'], /has 4 features per sample but .*r5.npy has 5/],
    ['NaN', ['--generated', 'nan.npy', '--reference', 'r.npy', '--metrics', 'precision'], /nan.npy: non-finite value NaN at row 4, column 1/],
    ['fewer than 2 samples', ['--generated', 'one.npy', '--reference', 'r.npy'], /one.npy: 1 sample; at least 2 are needed/],
    ['wrong dtype', ['--generated', 'int.npy', '--reference', 'r.npy'], /int.npy: dtype int32 is not a feature dtype/],
    ['wrong rank', ['--generated', 'rank3.npy', '--reference', 'r.npy'], /rank3.npy: expected a 2-D array/],
    ['empty file', ['--generated', 'empty.npy', '--reference', 'r.npy'], /empty.npy: not a .npy file/],
    ['kid subset too large', ['--generated', 'g.npy', '--reference', 'r.npy', '--metrics', 'kid'], /lower --kid-subset-size to at most 60/],
    ['unknown metric', ['--generated', 'g.npy', '--reference', 'r.npy', '--metrics', 'fid'], /unknown metric 'fid'; valid metrics: is, fd, fd_inf, kid/],
    ['is without logits', ['--generated', 'g.npy', '--reference', 'r.npy', '--metrics', 'is'], /needs class scores: use --logits/],
    ['a metric flag for a metric not asked for', ['--generated', 'g.npy', '--reference', 'r.npy', '--metrics', 'fd', '--k-pr', '5'], /^genbench: --k-pr sets precision\/recall\/density\/coverage's kPr, but none of them is asked for \(fd\); add one to --metrics or drop the flag$/m],
    ['a metric flag below its bound', ['--generated', 'g.npy', '--reference', 'r.npy', '--metrics', 'kid', '--kid-subsets', '0'], /--kid-subsets: must be >= 1, got 0/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await runCli(['metrics', ...args.map((a) => (a.endsWith('.npy') ? f(a) : a)), '--json', '--quiet']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});

describe('genbench metrics and pixel: output', () => {
  it('prints values, ci95 and a recipe with sha256 of the inputs', async () => {
    const r = await runCli(['metrics', '--generated', f('g.npy'), '--reference', f('r.npy'), '--metrics', 'kid,precision,recall', '--kid-subset-size', '20', '--kid-subsets', '5', '--bootstrap', '5', '--seed', '3', '--json', '--quiet']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(['kid', 'precision', 'recall', 'recipe']);
    expect(out.kid.std).toBeGreaterThan(0);
    expect(out.precision.ci95[0]).toBeLessThanOrEqual(out.precision.ci95[1]);
    expect(out.recipe.params.kid).toMatchObject({ subsets: 5, subsetSize: 20, seed: 3 });
    expect(out.recipe.params.prdc).toMatchObject({ kPr: 3, comparePr: '<=' });
    expect(out.recipe.inputs.generated.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(out.recipe.bootstrap).toMatchObject({ resamples: 5, seed: 3 });
    expect(out.recipe.bootstrap.methods.precision).toMatch(/^normal, from the variance by the law of total variance.*; covers generated and reference sampling; .*radii recomputed/);
    expect(out.recipe.bootstrap.methods.recall).toMatch(/^percentile, re-centred on the point estimate; covers generated and reference sampling; .*radii recomputed/);
    expect(out.recipe.bootstrap.methods.kid).toMatch(/^percentile, re-centred on the point estimate/);
    expect(out.kid.ciMethod).toBe('percentile, re-centred on the point estimate');
    expect(typeof out.kid.bootstrapBias).toBe('number');
    for (const id of ['kid', 'precision', 'recall']) {
      expect(out[id].ci95[0]).toBeLessThanOrEqual(out[id].value);
      expect(out[id].ci95[1]).toBeGreaterThanOrEqual(out[id].value);
    }
  });

  it('pixel: uint8 [N,H,W] with an explicit range', async () => {
    const r = await runCli(['pixel', '--a', f('img-a.npy'), '--b', f('img-b.npy'), '--range', '255', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.l1.value).toBeGreaterThan(0);
    expect(out.mse.perPair).toHaveLength(2);
    expect(out.recipe.params.range).toBe(255);
    const bad = await runCli(['pixel', '--a', f('img-a.npy'), '--b', f('g.npy'), '--range', '255']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected images \[N,H,W\] or \[N,H,W,C\]/);
  });
});

describe.skipIf(!shared)('genbench metrics golden through the CLI', () => {
  const G = join(shared ?? '', 'fixtures/metrics');
  it('gauss-small precision/recall/density/coverage and is-logits IS', async () => {
    const r = await runCli(['metrics', '--generated', join(G, 'gauss-small/fake.npy'), '--reference', join(G, 'gauss-small/real.npy'), '--metrics', 'precision,recall,density,coverage', '--json', '--quiet']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect([out.precision.value, out.recall.value, out.density.value, out.coverage.value]).toEqual([0.271, 0.7825, 0.2497, 0.658]);
    const is = await runCli(['metrics', '--logits', join(G, 'is-logits/logits.npy'), '--json', '--quiet']);
    const v = JSON.parse(is.stdout).is;
    expect(Math.abs(v.value - 17.484008723675654) / 17.48).toBeLessThan(1e-10);
    expect(Math.abs(v.std - 1.87608028322371) / 1.876).toBeLessThan(1e-8);
  });
});
