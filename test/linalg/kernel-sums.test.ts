import { afterAll, describe, expect, it } from 'vitest';
import { cubicKernelSums, defaultBlocks, releaseKernelSessions } from '../../src/linalg/kernel-sums.js';
import { Rng } from '../../src/rng.js';

/** Direct double loop in float64: sums of (a.b / d + 1)^3 over all row pairs. */
function naive(x: Float64Array, y: Float64Array, m: number, d: number) {
  const sum = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += a[i * d + t]! * b[j * d + t]!;
      s += (dot / d + 1) ** 3;
    }
    return s;
  };
  return { xx: sum(x, x), yy: sum(y, y), xy: sum(x, y) };
}

describe('cubicKernelSums', () => {
  afterAll(releaseKernelSessions);
  const rng = new Rng(11);
  const m = 203;
  const d = 17;
  const x = rng.fillNormal(new Float64Array(m * d));
  const y = rng.fillNormal(new Float64Array(m * d)).map((v) => v + 0.3);
  const want = naive(x, y, m, d);

  it('equals the double loop in float64 for any number of row blocks (uneven blocks included)', async () => {
    for (const blocks of [1, 2, 3, 8]) {
      const got = await cubicKernelSums(x, y, m, d, { blocks });
      for (const key of ['xx', 'yy', 'xy'] as const) expect(Math.abs(got[key] - want[key])).toBeLessThan(1e-12 * want[key]);
    }
  });

  it('float32 products stay within float32 rounding of the float64 sums', async () => {
    const got = await cubicKernelSums(Float32Array.from(x), Float32Array.from(y), m, d, { dtype: 'float32' });
    for (const key of ['xx', 'yy', 'xy'] as const) expect(Math.abs(got[key] - want[key])).toBeLessThan(1e-6 * want[key]);
  });

  it('rejects a buffer that does not match the precision or the shape', async () => {
    await expect(cubicKernelSums(Float32Array.from(x), Float32Array.from(y), m, d)).rejects.toThrow(/Float64Array/);
    await expect(cubicKernelSums(x, y, m - 1, d)).rejects.toThrow(/202x17/);
  });

  it('uses one block per 128 rows, 1 to 8', () => {
    expect([2, 127, 256, 1000, 5000].map(defaultBlocks)).toEqual([1, 1, 2, 7, 8]);
  });
});
