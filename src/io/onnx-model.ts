import { ProtoWriter } from './protobuf.js';

/**
 * A general ONNX ModelProto encoder: nodes with typed attributes, initializers (float32 / float64 / int64, stored as
 * raw little-endian bytes), graph inputs and outputs with element types and (partly symbolic) shapes. Field numbers
 * follow onnx/onnx.proto3: ModelProto {ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8},
 * GraphProto {node 1, name 2, initializer 5, input 11, output 12}, NodeProto {input 1, output 2, name 3, op_type 4,
 * attribute 5}, AttributeProto {name 1, f 2, i 3, s 4, floats 7, ints 8, type 20}, TensorProto {dims 1, data_type 2,
 * name 8, raw_data 9}, ValueInfoProto {name 1, type 2}, TypeProto {tensor_type 1}, TypeProto.Tensor {elem_type 1,
 * shape 2}, TensorShapeProto {dim 1}, Dimension {dim_value 1, dim_param 2}.
 *
 * @example
 * const bytes = encodeModel({ name: 'g', nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }], initializers: [],
 *   inputs: [{ name: 'x', type: 'float32', shape: ['N', 4] }], outputs: [{ name: 'y', type: 'float32', shape: ['N', 4] }] });
 * await ort.InferenceSession.create(bytes); // y = relu(x)
 */
export type ElemType = 'float32' | 'uint8' | 'int64' | 'float16' | 'float64';
const ELEM: Record<ElemType, number> = { float32: 1, uint8: 2, int64: 7, float16: 10, float64: 11 };

export type AttrValue =
  | { readonly int: number }
  | { readonly ints: readonly number[] }
  | { readonly float: number }
  | { readonly floats: readonly number[] }
  | { readonly string: string };

export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly attrs?: Readonly<Record<string, AttrValue>>;
}

export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array | Float64Array | BigInt64Array;
}

export interface ValueInfo {
  readonly name: string;
  readonly type: ElemType;
  /** Numbers are fixed sizes, strings symbolic dims (e.g. 'N' for the batch). */
  readonly shape: readonly (number | string)[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
}

export interface ModelInfo {
  /** Default opset of the ai.onnx domain (default 17). */
  readonly opset?: number;
  readonly producer?: string;
  readonly producerVersion?: string;
}

/** Encodes a graph as ONNX ModelProto bytes (ir_version 8). */
export function encodeModel(graph: OnnxGraph, info: ModelInfo = {}): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, 8).string(2, info.producer ?? 'genbench');
  if (info.producerVersion !== undefined) w.string(3, info.producerVersion);
  w.message(7, (g) => writeGraph(g, graph));
  w.message(8, (o) => o.string(1, '').int(2, info.opset ?? 17));
  return w.finish();
}

function writeGraph(w: ProtoWriter, graph: OnnxGraph): void {
  graph.nodes.forEach((n, i) => w.message(1, (m) => writeNode(m, n, i)));
  w.string(2, graph.name);
  for (const t of graph.initializers) w.message(5, (m) => writeTensor(m, t));
  for (const v of graph.inputs) w.message(11, (m) => writeValueInfo(m, v));
  for (const v of graph.outputs) w.message(12, (m) => writeValueInfo(m, v));
}

function writeNode(w: ProtoWriter, n: OnnxNode, index: number): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name ?? `${n.op}_${index}`).string(4, n.op);
  for (const [name, value] of Object.entries(n.attrs ?? {})) w.message(5, (m) => writeAttr(m, name, value));
}

/** AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7. */
function writeAttr(w: ProtoWriter, name: string, a: AttrValue): void {
  w.string(1, name);
  if ('int' in a) w.int(3, a.int).int(20, 2);
  else if ('ints' in a) w.ints(8, a.ints).int(20, 7);
  else if ('float' in a) w.float(2, a.float).int(20, 1);
  else if ('floats' in a) {
    for (const f of a.floats) w.float(7, f);
    w.int(20, 6);
  } else w.string(4, a.string).int(20, 3);
}

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  w.ints(1, t.dims);
  const type: ElemType = t.data instanceof Float32Array ? 'float32' : t.data instanceof Float64Array ? 'float64' : 'int64';
  w.int(2, ELEM[type]).string(8, t.name);
  w.bytes(9, littleEndianBytes(t.data));
}

function littleEndianBytes(data: Float32Array | Float64Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  const step = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(i * step, data[i]!, true);
    else if (data instanceof Float64Array) view.setFloat64(i * step, data[i]!, true);
    else view.setBigInt64(i * step, data[i]!, true);
  }
  return out;
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, ELEM[v.type]);
      tensor.message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}
