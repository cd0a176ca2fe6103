import ort from 'onnxruntime-node';
import { computeSession, releaseComputeSessions } from '../backend/onnx.js';
import { encodeModel } from '../io/onnx-model.js';

/**
 * The screening graph of the exact search, one onnxruntime call per (query tile, training block):
 * `R = YN - 2 X Y^T` (one `Gemm`, float32, MLAS SGEMM on all cores; YN the squared training norms, broadcast over
 * rows), then `TopK(R, K, largest = 0)`: per query row the K smallest values of R (= squared distance minus the
 * query's squared norm) and their column indices. Only q x K values come back to JavaScript, never the q x n
 * block, so the scan over all pairs runs natively. The caller turns R into rigorous bounds on the true squared
 * distances (see exact.ts).
 *
 * @example
 * const { values, indices } = await screenBlock(x32, q, y32, yn32, n, d, 16); // q x 16 each, row-major
 */
/** The ONNX model bytes: inputs X [q, d], Y [n, d], YN [n] (float32), K [1] (int64); outputs V [q, K], I [q, K]. */
export function screenModel(): Uint8Array {
  return encodeModel(
    {
      name: 'genbench_nn_screen',
      nodes: [
        {
          op: 'Gemm',
          inputs: ['X', 'Y', 'YN'],
          outputs: ['R'],
          attrs: { transB: { int: 1 }, alpha: { float: -2 }, beta: { float: 1 } },
        },
        { op: 'TopK', inputs: ['R', 'K'], outputs: ['V', 'I'], attrs: { axis: { int: 1 }, largest: { int: 0 }, sorted: { int: 1 } } },
      ],
      initializers: [],
      inputs: [
        { name: 'X', type: 'float32', shape: ['q', 'd'] },
        { name: 'Y', type: 'float32', shape: ['n', 'd'] },
        { name: 'YN', type: 'float32', shape: ['n'] },
        { name: 'K', type: 'int64', shape: [1] },
      ],
      outputs: [
        { name: 'V', type: 'float32', shape: ['q', 'k'] },
        { name: 'I', type: 'int64', shape: ['q', 'k'] },
      ],
    },
    { opset: 13 },
  );
}

function screenSession(): Promise<ort.InferenceSession> {
  return computeSession('nn-screen', screenModel);
}

/** The K smallest entries of each row of YN - 2 X Y^T (ascending) and their column indices within Y. */
export async function screenBlock(
  x: Float32Array,
  q: number,
  y: Float32Array,
  yn: Float32Array,
  n: number,
  d: number,
  k: number,
): Promise<{ values: Float32Array; indices: BigInt64Array }> {
  const s = await screenSession();
  const out = await s.run({
    X: new ort.Tensor('float32', x, [q, d]),
    Y: new ort.Tensor('float32', y, [n, d]),
    YN: new ort.Tensor('float32', yn, [n]),
    K: new ort.Tensor('int64', BigInt64Array.of(BigInt(k)), [1]),
  });
  return { values: out['V']!.data as Float32Array, indices: out['I']!.data as BigInt64Array };
}

/** Releases the cached session (rebuilt on the next call). */
export function releaseScreenSession(): Promise<void> {
  return releaseComputeSessions('nn-screen');
}
