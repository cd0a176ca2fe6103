import { describe, expect, it } from 'vitest';
import { fdFromFeatures } from '../../metrics/fd.js';
import { discriminatorDistance } from '../../metrics/disc.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { Rng } from '../../src/rng.js';

function gaussian(rows: number, cols: number, seed: number, scale = 1, shift = 0): Matrix {
  const rng = new Rng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => shift + scale * rng.normal()) };
}

describe('discriminatorDistance', () => {
  it('is 0 for identical sets and sums FD_l / tr(S_ref,l) over layers', async () => {
    const a = { f1: gaussian(40, 6, 1), f2: gaussian(40, 3, 2) };
    const same = await discriminatorDistance({ generated: a, reference: a });
    expect(Math.abs(same.value)).toBeLessThan(1e-9);
    const b = { f1: gaussian(40, 6, 3, 1, 0.5), f2: gaussian(40, 3, 4, 2) };
    const r = await discriminatorDistance({ generated: b, reference: a });
    let sum = 0;
    for (const l of ['f1', 'f2'] as const) {
      const fd = await fdFromFeatures({ generated: b[l], reference: a[l] });
      expect(r.layers[l]!.fd).toBeCloseTo(fd.value, 10);
      expect(r.layers[l]!.traceReference).toBeCloseTo(fd.components.traceReference, 10);
      sum += fd.value / fd.components.traceReference;
    }
    expect(r.value).toBeCloseTo(sum, 10);
  });

  it('is unchanged when a layer is scaled (each layer is divided by its reference spread)', async () => {
    const g = { f: gaussian(30, 4, 5, 1, 0.3) };
    const ref = { f: gaussian(30, 4, 6) };
    const scale = (m: Matrix) => ({ ...m, data: m.data.map((v) => v * 10) });
    const a = await discriminatorDistance({ generated: g, reference: ref });
    const b = await discriminatorDistance({ generated: { f: scale(g.f) }, reference: { f: scale(ref.f) } });
    expect(b.value).toBeCloseTo(a.value, 9);
    expect(b.layers['f']!.fd).toBeCloseTo(100 * a.layers['f']!.fd, 6);
  });
});
