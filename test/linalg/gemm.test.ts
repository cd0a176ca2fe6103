import { afterAll, describe, expect, it } from 'vitest';
import { gemm, gemmJs, gemmUpdate, gramFloat32 } from '../../src/linalg/gemm.js';
import { releaseGemmSessions } from '../../src/linalg/gemm-ort.js';
import { gemmModel } from '../../src/linalg/onnx-gemm-model.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { maxAbs, randomMatrix } from './random.js';

afterAll(() => releaseGemmSessions());

/** Max |a - b| relative to max |b|. */
function relErr(a: Matrix, b: Matrix): number {
  expect([a.rows, a.cols]).toEqual([b.rows, b.cols]);
  return maxAbs(a.data.map((v, i) => v - b.data[i]!)) / maxAbs(b.data);
}

describe('gemm on onnxruntime agrees with gemmJs', () => {
  const cases = [
    { m: 70, k: 90, n: 50 },
    { m: 1, k: 300, n: 257 },
    { m: 129, k: 1, n: 65 },
    { m: 200, k: 150, n: 3 },
  ];
  for (const { m, k, n } of cases) {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`${m}x${k} . ${k}x${n}, transA=${transA}, transB=${transB}`, async () => {
        const a = transA ? randomMatrix(k, m, m + k) : randomMatrix(m, k, m + k);
        const b = transB ? randomMatrix(n, k, n + 7) : randomMatrix(k, n, n + 7);
        const ref = gemmJs(a, b, { transA, transB });
        const fast = await gemm(a, b, { transA, transB, engine: 'ort' });
        expect(relErr(fast, ref)).toBeLessThan(1e-12);
        const f32 = await gemm(a, b, { transA, transB, dtype: 'float32' });
        expect(relErr(f32, ref)).toBeLessThan(1e-5);
        expect(relErr(f32, ref)).toBeGreaterThan(1e-12); // really float32
      });
    }
  }

  it('gemmUpdate computes D - A B^T on both engines', async () => {
    const a = randomMatrix(120, 40, 1);
    const b = randomMatrix(90, 40, 2);
    const d = randomMatrix(120, 90, 3);
    const p = gemmJs(a, b, { transB: true });
    const want: Matrix = { rows: 120, cols: 90, data: d.data.map((v, i) => v - p.data[i]!) };
    expect(relErr(await gemmUpdate(d, a, b, -1, { transB: true }), want)).toBeLessThan(1e-13);
    expect(relErr(await gemmUpdate(d, a, b, -1, { transB: true, engine: 'js' }), want)).toBeLessThan(1e-13);
  });

  it('gramFloat32 gives X^T X of float32 rows at float32 precision, and zeros for no rows', async () => {
    const x = randomMatrix(300, 20, 4);
    const want = gemmJs(x, x, { transA: true });
    expect(relErr(await gramFloat32(Float32Array.from(x.data), 300, 20), want)).toBeLessThan(1e-5);
    expect(Array.from((await gramFloat32(new Float32Array(0), 0, 3)).data)).toEqual(new Array(9).fill(0));
  });

  it('rejects mismatched inner dimensions and handles empty products', async () => {
    await expect(gemm(randomMatrix(3, 4, 1), randomMatrix(5, 3, 2))).rejects.toThrow(/inner dimensions/);
    const e = await gemm(randomMatrix(0, 4, 1), randomMatrix(4, 3, 2));
    expect([e.rows, e.cols, e.data.length]).toEqual([0, 3, 0]);
  });

  it('the ONNX model bytes are deterministic and start with ir_version 8', () => {
    const spec = { dtype: 'float64', transA: true, transB: false, accumulate: false } as const;
    const bytes = gemmModel(spec);
    expect(Array.from(bytes.subarray(0, 2))).toEqual([0x08, 8]);
    expect(gemmModel(spec)).toEqual(bytes);
  });
});
