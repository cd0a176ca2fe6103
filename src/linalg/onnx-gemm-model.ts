import { encodeModel, type OnnxNode, type OnnxTensor } from '../convert/onnx-model.js';

/**
 * A minimal ONNX ModelProto encoder for one graph: `C = alpha * op(A) . op(B) [+ beta * D]` as a single ONNX `Gemm`
 * node (opset 13, ir_version 8), inputs A, B (and D when `accumulate`) with dynamic dims, output C. Only the
 * protobuf fields this graph needs are written (wire types varint and length-delimited), so the model is built in
 * memory with no .onnx file and no protobuf dependency.
 *
 * Field numbers follow onnx/onnx.proto3: ModelProto {ir_version 1, producer_name 2, graph 7, opset_import 8},
 * GraphProto {node 1, name 2, input 11, output 12}, NodeProto {input 1, output 2, name 3, op_type 4, attribute 5},
 * AttributeProto {name 1, f 2, i 3, type 20}, ValueInfoProto {name 1, type 2}, TypeProto {tensor_type 1},
 * TypeProto.Tensor {elem_type 1, shape 2}, TensorShapeProto {dim 1}, Dimension {dim_param 2}.
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

const ELEM_TYPE = { float32: 1, float64: 11 } as const;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;

export function gemmModel(spec: GemmModelSpec): Uint8Array {
  const names = spec.accumulate ? ['A', 'B', 'D'] : ['A', 'B'];
  const attrs = [
    intAttr('transA', spec.transA ? 1 : 0),
    intAttr('transB', spec.transB ? 1 : 0),
    floatAttr('alpha', spec.alpha ?? 1),
    floatAttr('beta', spec.beta ?? 1),
  ];
  const node = msg([...names.map((n) => str(1, n)), str(2, 'C'), str(3, 'gemm'), str(4, 'Gemm'), ...attrs.map((a) => bytes(5, a))]);
  const elem = ELEM_TYPE[spec.dtype];
  const graph = msg([
    bytes(1, node),
    str(2, 'genbench_gemm'),
    ...names.map((n, i) => bytes(11, valueInfo(n, elem, [`${n}0_${i}`, `${n}1_${i}`]))),
    bytes(12, valueInfo('C', elem, ['M', 'N'])),
  ]);
  const opset = msg([str(1, ''), varintField(2, 13)]);
  return msg([varintField(1, 8), str(2, 'genbench'), bytes(7, graph), bytes(8, opset)]);
}

function valueInfo(name: string, elemType: number, dims: readonly string[]): Uint8Array {
  const shape = msg(dims.map((d) => bytes(1, msg([str(2, d)]))));
  const tensor = msg([varintField(1, elemType), bytes(2, shape)]);
  return msg([str(1, name), bytes(2, msg([bytes(1, tensor)]))]);
}

function intAttr(name: string, value: number): Uint8Array {
  return msg([str(1, name), varintField(3, value), varintField(20, ATTR_INT)]);
}

function floatAttr(name: string, value: number): Uint8Array {
  const f = new Uint8Array(5);
  f[0] = (2 << 3) | 5; // field 2, wire type 5 (32-bit)
  new DataView(f.buffer).setFloat32(1, value, true);
  return msg([str(1, name), f, varintField(20, ATTR_FLOAT)]);
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function varintField(field: number, value: number): Uint8Array {
  return Uint8Array.from([...varint(field << 3), ...varint(value)]);
}

function bytes(field: number, payload: Uint8Array): Uint8Array {
  return msg([Uint8Array.from([...varint((field << 3) | 2), ...varint(payload.length)]), payload]);
}

function str(field: number, s: string): Uint8Array {
  return bytes(field, new TextEncoder().encode(s));
}

function msg(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
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
