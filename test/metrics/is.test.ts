import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNpy } from '../../src/io/npy.js';
import { inceptionScore, isResampled } from '../../metrics/is.js';
import { Rng } from '../../src/rng.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { loadExpected, loadMatrix } from './load.js';

const shared = optionalSharedAssets();
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe.skipIf(!shared)('inception score golden (is-logits, torch-fidelity 0.4.0)', () => {
  const dir = join(shared ?? '', 'fixtures/metrics/is-logits');
  const e = () => loadExpected(dir).is;
  const logits = () => loadMatrix(dir, 'logits.npy');

  it('matches value, std and per-split scores without shuffling', () => {
    const x = e();
    const r = inceptionScore({ generated: logits(), kind: 'logits' }, { splits: 10 });
    expect(rel(r.value, x.value)).toBeLessThanOrEqual(x.tolerance.rtol_mean);
    expect(rel(r.std, x.std)).toBeLessThanOrEqual(x.tolerance.rtol_std);
    r.perSplit.forEach((v, i) => expect(rel(v, x.per_split[i])).toBeLessThanOrEqual(x.tolerance.rtol_mean));
    expect(rel(r.value, x.pytorch_style_sbarratt.value_float64)).toBeLessThanOrEqual(x.tolerance.rtol_mean);
  });

  it("matches torch-fidelity's default shuffle when given numpy's permutation", () => {
    const x = e();
    const perm = parseNpy(readFileSync(join(dir, 'isc_perm_seed2020.npy')), 'perm').data;
    const r = inceptionScore({ generated: logits(), kind: 'logits' }, { permutation: perm });
    expect(rel(r.value, x.torch_fidelity_default_shuffle.value)).toBeLessThanOrEqual(x.tolerance.rtol_mean);
    expect(rel(r.std, x.torch_fidelity_default_shuffle.std)).toBeLessThanOrEqual(x.tolerance.rtol_std);
  });

  it('gives the same score from probabilities as from logits', () => {
    const l = logits();
    const p = new Float64Array(l.data.length);
    for (let i = 0; i < l.rows; i++) {
      let max = -Infinity;
      for (let j = 0; j < l.cols; j++) max = Math.max(max, l.data[i * l.cols + j]!);
      let s = 0;
      for (let j = 0; j < l.cols; j++) s += p[i * l.cols + j] = Math.exp(l.data[i * l.cols + j]! - max);
      for (let j = 0; j < l.cols; j++) p[i * l.cols + j]! /= s;
    }
    const a = inceptionScore({ generated: l, kind: 'logits' });
    const b = inceptionScore({ generated: { ...l, data: p }, kind: 'probs' });
    expect(rel(b.value, a.value)).toBeLessThan(1e-10);
  });
});

describe('inception score analytic cases', () => {
  it('uniform probabilities give 1 with std 0', () => {
    const r = inceptionScore({ generated: { rows: 20, cols: 5, data: new Float64Array(100).fill(0.2) }, kind: 'probs' }, { splits: 2 });
    expect(r.value).toBeCloseTo(1, 14);
    expect(r.std).toBeCloseTo(0, 14);
  });

  it('one-hot rows over C distinct classes give C (0 log 0 = 0)', () => {
    const c = 7;
    const data = new Float64Array(c * 3 * c);
    for (let i = 0; i < 3 * c; i++) data[i * c + (i % c)] = 1;
    const r = inceptionScore({ generated: { rows: 3 * c, cols: c, data }, kind: 'probs' }, { splits: 3 });
    expect(r.value).toBeCloseTo(c, 12);
  });

  it('shuffling with a seed is reproducible and keeps the unsplit score', () => {
    const data = Float64Array.from({ length: 40 * 4 }, (_, i) => Math.sin(i * 1.7) * 3);
    const x = { rows: 40, cols: 4, data };
    const a = inceptionScore({ generated: x, kind: 'logits' }, { splits: 4, shuffleSeed: 5 });
    const b = inceptionScore({ generated: x, kind: 'logits' }, { splits: 4, shuffleSeed: 5 });
    expect(a).toEqual(b);
    const one = inceptionScore({ generated: x, kind: 'logits' }, { splits: 1 });
    const oneShuffled = inceptionScore({ generated: x, kind: 'logits' }, { splits: 1, shuffleSeed: 9 });
    expect(oneShuffled.value).toBeCloseTo(one.value, 12);
  });

  it('rejects probability rows that do not sum to 1, and too many splits', () => {
    const bad = { rows: 2, cols: 2, data: Float64Array.from([0.5, 0.6, 0.5, 0.5]) };
    expect(() => inceptionScore({ generated: bad, kind: 'probs' }, { splits: 1 })).toThrow(/row 0 sums to 1.1/);
    expect(() => inceptionScore({ generated: bad, kind: 'logits' }, { splits: 3 })).toThrow(/splits must be an integer in \[1, 2\]/);
  });
});

describe('isResampled', () => {
  it('equals the IS of each draw taken in draw order, from logits and from probabilities', async () => {
    const rng = new Rng(3);
    const n = 120;
    const c = 7;
    const logits = { rows: n, cols: c, data: Float64Array.from({ length: n * c }, () => 3 * rng.normal()) };
    const probs = { rows: n, cols: c, data: new Float64Array(n * c) };
    for (let i = 0; i < n; i++) {
      const row = logits.data.subarray(i * c, (i + 1) * c).map(Math.exp);
      const s = row.reduce((a, v) => a + v, 0);
      probs.data.set(row.map((v) => v / s), i * c);
    }
    probs.data[5] = 0; // 0 log 0 = 0
    const s5 = probs.data.subarray(0, c).reduce((a, v) => a + v, 0);
    probs.data.set(probs.data.subarray(0, c).map((v) => v / s5), 0);
    const generated = Array.from({ length: 30 }, () => Int32Array.from({ length: n }, () => rng.int(n)));
    for (const scores of [{ generated: logits, kind: 'logits' as const }, { generated: probs, kind: 'probs' as const }]) {
      const got = await isResampled(scores, { generated, reference: null }, 5);
      generated.forEach((idx, k) => expect(rel(got[k]!, inceptionScore(scores, { splits: 5, permutation: idx }).value)).toBeLessThan(1e-12));
    }
  });
});
