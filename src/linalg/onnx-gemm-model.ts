import { encodeModel, type OnnxNode, type OnnxTensor } from '../io/onnx-model.js';

/**
 * The product graph behind `gemm`: `C = alpha * op(A) . op(B) [+ beta * D]` as a single ONNX `Gemm` node (opset 13),
 * inputs A, B (and D when `accumulate`) with symbolic dims, output C, encoded by src/io/onnx-model.ts.
 *
 * @example
 * const bytes = gemmModel({ dtype: 'float64', transA: true, transB: false, accumulate: false });
 * await ort.InferenceSession.create(bytes); // inputs A, B; output C = A^T B
 */
export interface GemmModelSpec {
  readonly dtype: 'float32' | 'float64';
  readonly transA: boolean;
  readonly transB: boolean;
  /** Adds input D and computes C = alpha op(A) op(B) + beta D. */
  readonly accumulate: boolean;
  readonly alpha?: number;
  readonly beta?: number;
}

export function gemmModel(spec: GemmModelSpec): Uint8Array {
  const names = spec.accumulate ? ['A', 'B', 'D'] : ['A', 'B'];
  const node: OnnxNode = {
    op: 'Gemm',
    name: 'gemm',
    inputs: names,
    outputs: ['C'],
    attrs: {
      transA: { int: spec.transA ? 1 : 0 },
      transB: { int: spec.transB ? 1 : 0 },
      alpha: { float: spec.alpha ?? 1 },
      beta: { float: spec.beta ?? 1 },
    },
  };
  return encodeModel(
    {
      name: 'genbench_gemm',
      nodes: [node],
      initializers: [],
      inputs: names.map((n, i) => ({ name: n, type: spec.dtype, shape: [`${n}0_${i}`, `${n}1_${i}`] })),
      outputs: [{ name: 'C', type: spec.dtype, shape: ['M', 'N'] }],
    },
    { opset: 13 },
  );
}

/**
 * The scatter-accumulation graph for `momentsOf`: input Xc [R, d] (a chunk of centred samples, row-major, float32
 * or float64), cut into k column blocks by one `Split` (edges e), and float64 accumulators D_a_b; outputs
 * C_a_b = D_a_b + Xc[:, e_a:e_a+1]^T Xc[:, e_b:e_b+1] for a <= b, each one `Gemm` with transA = 1 on the row-major
 * blocks (no transpose): the blocks of Xc^T Xc on and above the diagonal, (k + 1) / (2k) of the full product.
 * float32 chunks are multiplied in float32 and the products `Cast` to float64 before the `Add` (chunked float64
 * accumulation).
 *
 * @example
 * scatterModel(2048, [0, 1024, 2048], 'float64') // outputs C_0_0, C_0_1, C_1_1 (1024 x 1024 each)
 */
export function scatterModel(d: number, edges: readonly number[], dtype: 'float32' | 'float64'): Uint8Array {
  const k = edges.length - 1;
  const blocks = Array.from({ length: k }, (_, a) => (k === 1 ? 'Xc' : `blk${a}`));
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  if (k > 1) {
    const widths = BigInt64Array.from(blocks.map((_, a) => BigInt(edges[a + 1]! - edges[a]!)));
    initializers.push({ name: 'widths', dims: [k], data: widths });
    nodes.push({ op: 'Split', inputs: ['Xc', 'widths'], outputs: blocks, attrs: { axis: { int: 1 } } });
  }
  const names: string[] = [];
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      const id = `${a}_${b}`;
      names.push(id);
      if (dtype === 'float64') {
        nodes.push({ op: 'Gemm', inputs: [blocks[a]!, blocks[b]!, `D_${id}`], outputs: [`C_${id}`], attrs: { transA: { int: 1 } } });
      } else {
        nodes.push({ op: 'Gemm', inputs: [blocks[a]!, blocks[b]!], outputs: [`P_${id}`], attrs: { transA: { int: 1 } } });
        nodes.push({ op: 'Cast', inputs: [`P_${id}`], outputs: [`Q_${id}`], attrs: { to: { int: 11 } } });
        nodes.push({ op: 'Add', inputs: [`D_${id}`, `Q_${id}`], outputs: [`C_${id}`] });
      }
    }
  }
  const shape = (id: string): number[] => {
    const [a, b] = id.split('_').map(Number) as [number, number];
    return [edges[a + 1]! - edges[a]!, edges[b + 1]! - edges[b]!];
  };
  return encodeModel(
    {
      name: 'genbench_scatter',
      nodes,
      initializers,
      inputs: [{ name: 'Xc', type: dtype, shape: ['R', d] }, ...names.map((id) => ({ name: `D_${id}`, type: 'float64' as const, shape: shape(id) }))],
      outputs: names.map((id) => ({ name: `C_${id}`, type: 'float64' as const, shape: shape(id) })),
    },
    { opset: 17 },
  );
}
