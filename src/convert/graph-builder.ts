import type { AttrValue, OnnxNode, OnnxTensor, ValueInfo } from '../io/onnx-model.js';

/**
 * The converter's working graph: ONNX nodes and initializers under unique names, plus the layout bookkeeping that
 * keeps the model NHWC on the outside and NCHW inside. A `KTensor` is one keras tensor: its ONNX value name, its
 * keras shape without the batch dim (H, W, C for images) and how it is stored: 'keras' (keras axis order) or 'nchw'
 * (an image tensor stored N, C, H, W because ONNX Conv/Pool want it). `nchw()`/`keras()` insert one Transpose per
 * tensor and direction, remembered, so a tensor read by several layers is transposed once.
 *
 * @example
 * const g = new GraphBuilder();
 * const x: KTensor = { name: g.input('img', [224, 224, 3]), shape: [224, 224, 3], layout: 'keras' };
 * g.nchw(x).name; // 'img/nchw' (a Transpose perm [0, 3, 1, 2])
 */
export type Layout = 'keras' | 'nchw';

export interface KTensor {
  readonly name: string;
  /** Keras shape without the batch dimension. */
  readonly shape: readonly number[];
  readonly layout: Layout;
}

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  private readonly used = new Set<string>();
  private readonly transposed = new Map<string, KTensor>();
  private readonly reserved: ReadonlySet<string>;

  /** `reserved`: names kept for graph outputs (declared later by `output`), never given to internal values. */
  constructor(reserved: Iterable<string> = []) {
    this.reserved = new Set(reserved);
  }

  /** A value name not used yet, `base` or `base_2`, `base_3`, ... */
  fresh(base: string): string {
    let name = base;
    for (let k = 2; this.used.has(name) || this.reserved.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Declares a float32 graph input [N, ...shape] and returns its name (kept exactly). */
  input(name: string, shape: readonly number[], type: ValueInfo['type'] = 'float32'): string {
    this.used.add(name);
    this.inputs.push({ name, type, shape: ['N', ...shape] });
    return name;
  }

  /** Adds a node with one output named after `base` and returns the output name. */
  node(op: string, inputs: readonly string[], base: string, attrs?: Readonly<Record<string, AttrValue>>): string {
    const out = this.fresh(base);
    this.nodes.push({ op, inputs, outputs: [out], name: out, ...(attrs === undefined ? {} : { attrs }) });
    return out;
  }

  /** A float32 initializer. */
  constF32(base: string, dims: readonly number[], data: Float32Array): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims, data });
    return name;
  }

  /** A float64 initializer. */
  constF64(base: string, dims: readonly number[], data: Float64Array): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims, data });
    return name;
  }

  /** A 1-D int64 initializer (shapes, pads, axes). */
  constI64(base: string, values: readonly number[]): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims: [values.length], data: BigInt64Array.from(values.map((v) => BigInt(v))) });
    return name;
  }

  /** A scalar float32 initializer. */
  scalar(base: string, value: number): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims: [], data: Float32Array.of(value) });
    return name;
  }

  /** `t` stored N, C, H, W (only image tensors: keras shape H, W, C). */
  nchw(t: KTensor): KTensor {
    if (t.layout === 'nchw') return t;
    if (t.shape.length !== 3) throw new Error(`internal: nchw() of a rank-${t.shape.length + 1} tensor ${t.name}`);
    return this.transpose(t, 'nchw', [0, 3, 1, 2]);
  }

  /** `t` stored in keras axis order. */
  keras(t: KTensor): KTensor {
    return t.layout === 'keras' ? t : this.transpose(t, 'keras', [0, 2, 3, 1]);
  }

  /** `t` in the given layout. */
  as(t: KTensor, layout: Layout): KTensor {
    return layout === 'nchw' ? this.nchw(t) : this.keras(t);
  }

  /** Declares `t` (in keras order) as graph output `name` through an Identity node. */
  output(name: string, t: KTensor): void {
    const k = this.keras(t);
    this.used.add(name);
    this.nodes.push({ op: 'Identity', inputs: [k.name], outputs: [name], name: `${name}/output` });
    this.outputs.push({ name, type: 'float32', shape: ['N', ...t.shape] });
  }

  private transpose(t: KTensor, layout: Layout, perm: number[]): KTensor {
    const key = `${t.name}->${layout}`;
    const hit = this.transposed.get(key);
    if (hit !== undefined) return hit;
    const name = this.node('Transpose', [t.name], `${t.name}/${layout}`, { perm: { ints: perm } });
    const out: KTensor = { name, shape: t.shape, layout };
    this.transposed.set(key, out);
    this.transposed.set(`${name}->${t.layout}`, t);
    return out;
  }
}

/**
 * The ONNX axis of keras axis `axis` (negative counts from the end; batch is axis 0) for a tensor of keras rank
 * `rank` (with batch) stored in `layout`.
 *
 * @example
 * onnxAxis(-1, 4, 'nchw'); // 1 (channels)
 */
export function onnxAxis(axis: number, rank: number, layout: Layout): number {
  const a = axis < 0 ? axis + rank : axis;
  if (layout === 'keras' || a === 0) return a;
  return a === 3 ? 1 : a + 1;
}
