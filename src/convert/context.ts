import { GenbenchError } from '../errors.js';
import type { GraphBuilder, KTensor } from './graph-builder.js';
import type { LayerSpec } from './topology.js';
import type { Weight } from './weights.js';

/**
 * What a layer converter gets: the graph, the layer, its input tensors, its weights, and (when the driver folds a
 * following BatchNormalization into this layer) the per-output-channel affine map to fold in.
 */
export interface Affine {
  /** y = x * scale[c] + shift[c] per output channel c. */
  readonly scale: Float32Array;
  readonly shift: Float32Array;
}

export interface ConvertContext {
  readonly g: GraphBuilder;
  readonly layer: LayerSpec;
  readonly inputs: readonly KTensor[];
  /** The weight `<layer>/<param>`; INPUT error naming it when missing. */
  weight(param: string): Weight;
  optionalWeight(param: string): Weight | undefined;
  /** Set when a following BatchNormalization is folded into this (linear) layer. */
  readonly fold?: Affine;
}

/** Converts one layer; returns its output tensor. */
export type LayerConverter = (ctx: ConvertContext) => KTensor;

/** Config field `key` of the layer as a number (or the default when absent / null). */
export function num(ctx: ConvertContext, key: string, dflt?: number): number {
  const v = ctx.layer.config[key];
  if (typeof v === 'number') return v;
  if ((v === undefined || v === null) && dflt !== undefined) return dflt;
  throw new GenbenchError('INPUT', `layer '${ctx.layer.name}' (${ctx.layer.className}): config field '${key}' must be a number, got ${JSON.stringify(v)}`);
}

/** Config field `key` as a pair of numbers (a single number n is read as [n, n]). */
export function pair(ctx: ConvertContext, key: string, dflt?: [number, number]): [number, number] {
  const v = ctx.layer.config[key];
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0] as number, v[1] as number];
  if ((v === undefined || v === null) && dflt !== undefined) return dflt;
  throw new GenbenchError('INPUT', `layer '${ctx.layer.name}' (${ctx.layer.className}): config field '${key}' must be one or two numbers, got ${JSON.stringify(v)}`);
}

export function str(ctx: ConvertContext, key: string, dflt: string): string {
  const v = ctx.layer.config[key];
  return typeof v === 'string' ? v : dflt;
}

/** UNSUPPORTED error naming the layer, its class and the reason. */
export function unsupported(ctx: Pick<ConvertContext, 'layer'>, why: string): GenbenchError {
  return new GenbenchError('UNSUPPORTED', `layer '${ctx.layer.name}' (${ctx.layer.className}): ${why} is not supported by the ONNX converter`);
}

/** The single input of a one-input layer. */
export function single(ctx: ConvertContext): KTensor {
  if (ctx.inputs.length !== 1) throw unsupported(ctx, `${ctx.inputs.length} inputs`);
  return ctx.inputs[0]!;
}

/** Channels-last check for image layers. */
export function channelsLast(ctx: ConvertContext): void {
  const f = str(ctx, 'data_format', 'channels_last');
  if (f !== 'channels_last') throw unsupported(ctx, `data_format '${f}'`);
}

/**
 * `data` of shape `shape` with its axes permuted (like numpy transpose).
 *
 * @example
 * permute(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3], [1, 0]); // Float32Array [1, 4, 2, 5, 3, 6]
 */
export function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  const outShape = perm.map((p) => shape[p]!);
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let k = 0; k < rank; k++) src += idx[k]! * strides[perm[k]!]!;
    out[o] = data[src]!;
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k]! < outShape[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}
