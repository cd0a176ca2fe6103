import { describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import { rowSlice, takeRows, toFeatureMatrix, type Matrix } from '../../src/linalg/matrix.js';
import { Rng } from '../../src/rng.js';
import { fdFromFeatures, fdFromStats, mergeStats, statsOf, type GaussianStats } from '../../metrics/fd.js';
import { randomMatrix } from '../linalg/random.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

/**
 * Block-diagonal covariances of 2x2 rotated blocks have a closed-form tr sqrt(S1 S2): for each block,
 * tr sqrt(A B) = sqrt(tr(A B) + 2 sqrt(det A det B)) (the two eigenvalues of A B are non-negative).
 */
function rotatedBlock(l1: number, l2: number, angle: number): number[] {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return [l1 * c * c + l2 * s * s, (l1 - l2) * c * s, (l1 - l2) * c * s, l1 * s * s + l2 * c * c];
}

function population(d: number, seed: number, scale: number): { mean: Float64Array; blocks: number[][] } {
  const rng = new Rng(seed);
  const blocks = Array.from({ length: d / 2 }, () => rotatedBlock(scale * (0.2 + rng.float()), scale * (0.2 + 2 * rng.float()), Math.PI * rng.float()));
  return { mean: Float64Array.from({ length: d }, () => rng.normal() * 0.3), blocks };
}

function closedFormFd(p: ReturnType<typeof population>, q: ReturnType<typeof population>): number {
  let value = 0;
  p.mean.forEach((v, i) => (value += (v - q.mean[i]!) ** 2));
  p.blocks.forEach((a, k) => {
    const b = q.blocks[k]!;
    const ab = [a[0]! * b[0]! + a[1]! * b[2]!, a[2]! * b[1]! + a[3]! * b[3]!];
    const det = (m: number[]): number => m[0]! * m[3]! - m[1]! * m[2]!;
    value += a[0]! + a[3]! + b[0]! + b[3]! - 2 * Math.sqrt(ab[0]! + ab[1]! + 2 * Math.sqrt(det(a) * det(b)));
  });
  return value;
}

function statsFromPopulation(p: ReturnType<typeof population>): GaussianStats {
  const d = p.mean.length;
  const cov = new Float64Array(d * d);
  p.blocks.forEach((b, k) => {
    cov[2 * k * d + 2 * k] = b[0]!;
    cov[2 * k * d + 2 * k + 1] = b[1]!;
    cov[(2 * k + 1) * d + 2 * k] = b[2]!;
    cov[(2 * k + 1) * d + 2 * k + 1] = b[3]!;
  });
  return { mean: p.mean, cov: { rows: d, cols: d, data: cov }, count: 1000 };
}

function sample(p: ReturnType<typeof population>, n: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const d = p.mean.length;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    p.blocks.forEach((b, k) => {
      // Cholesky of the 2x2 block
      const l00 = Math.sqrt(b[0]!);
      const l10 = b[2]! / l00;
      const l11 = Math.sqrt(b[3]! - l10 * l10);
      const z0 = rng.normal();
      const z1 = rng.normal();
      out[i * d + 2 * k] = p.mean[2 * k]! + l00 * z0;
      out[i * d + 2 * k + 1] = p.mean[2 * k + 1]! + l10 * z0 + l11 * z1;
    });
  }
  return { rows: n, cols: d, data: out };
}

describe('FD analytic cases', () => {
  it('identical sets give 0 within 1e-10 of the trace scale (covariance and Gram routes)', async () => {
    for (const [n, d] of [[500, 40], [30, 40], [400, 300]] as const) {
      const x = randomMatrix(n, d, n + d);
      const r = await fdFromFeatures({ generated: x, reference: x });
      expect(Math.abs(r.value)).toBeLessThan(1e-10 * r.components.traceReference);
    }
  });

  it('population parameters: fdFromStats equals the closed form of rotated 2x2 blocks to 1e-12', async () => {
    for (const d of [16, 240]) {
      const p = population(d, 1, 1);
      const q = population(d, 2, 1.5);
      const r = await fdFromStats({ generated: statsFromPopulation(p), reference: statsFromPopulation(q) });
      expect(rel(r.value, closedFormFd(p, q))).toBeLessThan(1e-12);
      expect(r.ranks).toEqual({ generated: d, reference: d });
    }
  });

  it('large samples from two Gaussians estimate the population FD', async () => {
    const p = population(20, 3, 1);
    const q = population(20, 4, 1.5);
    const want = closedFormFd(p, q);
    const r = await fdFromFeatures({ generated: sample(p, 40_000, 5), reference: sample(q, 40_000, 6) });
    // measured 0.2% (sampling bias ~ d / N plus noise); 2% leaves room without hiding a wrong formula (dropping
    // the cross term or the factor 2 moves FD by far more)
    expect(rel(r.value, want)).toBeLessThan(0.02);
  });
});

describe('FD invariances', () => {
  const g = randomMatrix(700, 50, 11);
  const base = randomMatrix(600, 50, 12);
  const ref = { ...base, data: base.data.map((v, i) => 1.3 * v + 0.2 * (i % 50 === 0 ? 1 : 0)) };

  it('row order does not matter', async () => {
    const a = await fdFromFeatures({ generated: g, reference: ref });
    const perm = new Rng(3).shuffle(Int32Array.from({ length: 700 }, (_, i) => i)) as Int32Array;
    const b = await fdFromFeatures({ generated: takeRows(g, perm), reference: ref });
    expect(rel(b.value, a.value)).toBeLessThan(1e-12);
  });

  it('chunked statistics merged with mergeStats equal one pass', async () => {
    const whole = await statsOf(g);
    const merged = mergeStats(mergeStats(await statsOf(rowSlice(g, 0, 2)), await statsOf(rowSlice(g, 2, 400))), await statsOf(rowSlice(g, 400, 700)));
    expect(merged.count).toBe(700);
    merged.cov.data.forEach((v, i) => expect(Math.abs(v - whole.cov.data[i]!)).toBeLessThan(1e-14));
    const refStats = await statsOf(ref);
    const a = await fdFromStats({ generated: whole, reference: refStats });
    const b = await fdFromStats({ generated: merged, reference: refStats });
    expect(rel(b.value, a.value)).toBeLessThan(1e-12);
    const c = await fdFromFeatures({ generated: g, reference: ref });
    expect(rel(c.value, a.value)).toBeLessThan(1e-12);
  });

  it('float32 input equals float64 input of the same values', async () => {
    const f32 = Float32Array.from(g.data);
    const a = await fdFromFeatures({ generated: toFeatureMatrix(f32, 700, 50, 'g32'), reference: ref });
    const b = await fdFromFeatures({ generated: toFeatureMatrix(Float64Array.from(f32), 700, 50, 'g64'), reference: ref });
    expect(b.value).toBe(a.value);
  });

  it('a dead (constant) feature: pivoted Cholesky path, rank d - 1, same FD as without it', async () => {
    const d = 30;
    const withDead = (m: Matrix, c: number): Matrix => {
      const out = new Float64Array(m.rows * (d + 1));
      for (let i = 0; i < m.rows; i++) {
        out.set(m.data.subarray(i * d, (i + 1) * d), i * (d + 1));
        out[i * (d + 1) + d] = c;
      }
      return { rows: m.rows, cols: d + 1, data: out };
    };
    const a = randomMatrix(400, d, 21);
    const b = randomMatrix(500, d, 22).data.map((v) => 2 * v + 0.5);
    const bm = { rows: 500, cols: d, data: b };
    const plain = await fdFromFeatures({ generated: a, reference: bm });
    const dead = await fdFromFeatures({ generated: withDead(a, 0.25), reference: withDead(bm, 1.25) });
    expect(dead.ranks).toEqual({ generated: d, reference: d });
    expect(rel(dead.value, plain.value + 1)).toBeLessThan(1e-12);
    expect(dead.negativeResidue).toBeLessThanOrEqual(0);
  });
});

describe('FD input errors', () => {
  it('one-line INPUT errors for too few samples, mismatched features and NaN', async () => {
    const x = randomMatrix(10, 4, 1);
    await expect(fdFromFeatures({ generated: rowSlice(x, 0, 1), reference: x })).rejects.toThrow(GenbenchError);
    await expect(fdFromFeatures({ generated: x, reference: randomMatrix(10, 5, 2) })).rejects.toThrow(/features/);
    const bad = { ...x, data: x.data.map((v, i) => (i === 7 ? Number.NaN : v)) };
    await expect(fdFromFeatures({ generated: x, reference: bad })).rejects.toThrow(/reference: non-finite value NaN at row 1, column 3/);
    const s = await statsOf(x);
    await expect(fdFromStats({ generated: s, reference: { ...s, count: 1 } })).rejects.toThrow(/reference statistics: count 1/);
  });
});
