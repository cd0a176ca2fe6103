import { channelsLast, pair, permute, str, unsupported, single, type Affine, type ConvertContext, type LayerConverter } from './context.js';
import type { KTensor } from './graph-builder.js';
import { configActivation } from './layers-activation.js';

/**
 * Conv2D, DepthwiseConv2D and Conv2DTranspose as ONNX Conv / ConvTranspose on NCHW tensors. TF's 'same' padding is
 * asymmetric (the extra row/column goes at the end), so pads are always explicit: for a forward conv
 * out = ceil(in / s), total = max((out - 1) s + (k - 1) d + 1 - in, 0), begin = floor(total / 2); for a transposed
 * conv TF crops the full output (in - 1) s + k to in s ('same') with the same begin/end split of k - s, and 'valid'
 * keeps in s + max(k - s, 0) (output_padding covers k < s). Kernels go from keras HWIO to ONNX OIHW (Conv),
 * (C*M)1HW (depthwise, group = C) and IOHW (transpose). A folded BatchNormalization scales each output channel's
 * kernel and bias.
 *
 * @example
 * samePads(224, 3, 2, 1); // { out: 112, begin: 0, end: 1 }
 */
export function samePads(size: number, k: number, s: number, d: number): { out: number; begin: number; end: number } {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
  const begin = Math.floor(total / 2);
  return { out, begin, end: total - begin };
}

function validPads(size: number, k: number, s: number, d: number): { out: number; begin: number; end: number } {
  return { out: Math.floor((size - ((k - 1) * d + 1)) / s) + 1, begin: 0, end: 0 };
}

interface Spatial {
  readonly kernel: [number, number];
  readonly strides: [number, number];
  readonly dilations: [number, number];
  readonly pads: { out: number; begin: number; end: number }[];
}

function forwardSpatial(ctx: ConvertContext, x: KTensor, kernel: [number, number]): Spatial {
  channelsLast(ctx);
  const strides = pair(ctx, 'strides', [1, 1]);
  const dilations = pair(ctx, 'dilation_rate', [1, 1]);
  const padding = str(ctx, 'padding', 'valid');
  if (padding !== 'same' && padding !== 'valid') throw unsupported(ctx, `padding '${padding}'`);
  const f = padding === 'same' ? samePads : validPads;
  const pads = [0, 1].map((a) => f(x.shape[a]!, kernel[a]!, strides[a]!, dilations[a]!));
  if (pads.some((p) => p.out < 1)) throw unsupported(ctx, `input ${x.shape.join('x')} smaller than the kernel`);
  return { kernel, strides, dilations, pads };
}

/** Multiplies the kernel slice of each output channel (`outAxis` of the ONNX kernel) and maps the bias. */
function foldAffine(w: Float32Array, dims: readonly number[], outAxis: 0 | 1, bias: Float32Array, fold: Affine | undefined): Float32Array {
  if (fold === undefined) return bias;
  const inner = dims.slice(outAxis + 1).reduce((a, b) => a * b, 1);
  const channels = dims[outAxis]!;
  for (let i = 0; i < w.length; i++) w[i]! *= fold.scale[Math.floor(i / inner) % channels]!;
  return bias.map((b, c) => b * fold.scale[c]! + fold.shift[c]!);
}

function biasOf(ctx: ConvertContext, channels: number): Float32Array {
  if (ctx.layer.config['use_bias'] === false) return new Float32Array(channels);
  return Float32Array.from(ctx.weight('bias').data);
}

function emitConv(ctx: ConvertContext, op: 'Conv' | 'ConvTranspose', x: KTensor, w: Float32Array, dims: number[], bias: Float32Array, attrs: Record<string, { ints: number[] } | { int: number }>, outShape: number[]): KTensor {
  const g = ctx.g;
  const name = ctx.layer.name;
  const inputs = [x.name, g.constF32(`${name}/kernel`, dims, w), g.constF32(`${name}/bias`, [bias.length], bias)];
  const y: KTensor = { name: g.node(op, inputs, `${name}/${op.toLowerCase()}`, attrs), shape: outShape, layout: 'nchw' };
  return configActivation(ctx, y);
}

const conv2d: LayerConverter = (ctx) => {
  const x = ctx.g.nchw(single(ctx));
  const k = ctx.weight('kernel'); // [kh, kw, cin, cout]
  const [kh, kw, cin, cout] = k.shape as [number, number, number, number];
  const sp = forwardSpatial(ctx, x, [kh, kw]);
  const dims = [cout, cin, kh, kw];
  const w = permute(k.data, k.shape, [3, 2, 0, 1]);
  const bias = foldAffine(w, dims, 0, biasOf(ctx, cout), ctx.fold);
  return emitConv(ctx, 'Conv', x, w, dims, bias, convAttrs(sp, 1), [sp.pads[0]!.out, sp.pads[1]!.out, cout]);
};

const depthwiseConv2d: LayerConverter = (ctx) => {
  const x = ctx.g.nchw(single(ctx));
  const k = ctx.weight('depthwise_kernel'); // [kh, kw, cin, mult]
  const [kh, kw, cin, mult] = k.shape as [number, number, number, number];
  const sp = forwardSpatial(ctx, x, [kh, kw]);
  const dims = [cin * mult, 1, kh, kw];
  const w = permute(k.data, k.shape, [2, 3, 0, 1]); // output channel c * mult + m, as TF orders them
  const bias = foldAffine(w, dims, 0, biasOf(ctx, cin * mult), ctx.fold);
  return emitConv(ctx, 'Conv', x, w, dims, bias, convAttrs(sp, cin), [sp.pads[0]!.out, sp.pads[1]!.out, cin * mult]);
};

function convAttrs(sp: Spatial, group: number): Record<string, { ints: number[] } | { int: number }> {
  return {
    kernel_shape: { ints: sp.kernel },
    strides: { ints: sp.strides },
    dilations: { ints: sp.dilations },
    pads: { ints: [sp.pads[0]!.begin, sp.pads[1]!.begin, sp.pads[0]!.end, sp.pads[1]!.end] },
    group: { int: group },
  };
}

const conv2dTranspose: LayerConverter = (ctx) => {
  channelsLast(ctx);
  const x = ctx.g.nchw(single(ctx));
  const k = ctx.weight('kernel'); // [kh, kw, cout, cin]
  const [kh, kw, cout, cin] = k.shape as [number, number, number, number];
  const strides = pair(ctx, 'strides', [1, 1]);
  if (pair(ctx, 'dilation_rate', [1, 1]).some((d) => d !== 1)) throw unsupported(ctx, 'dilation_rate other than 1');
  const padding = str(ctx, 'padding', 'valid');
  if (padding !== 'same' && padding !== 'valid') throw unsupported(ctx, `padding '${padding}'`);
  const axes = [0, 1].map((a) => transposeAxis(x.shape[a]!, a === 0 ? kh : kw, strides[a]!, padding === 'same'));
  const dims = [cin, cout, kh, kw];
  const w = permute(k.data, k.shape, [3, 2, 0, 1]);
  const bias = foldAffine(w, dims, 1, biasOf(ctx, cout), ctx.fold);
  const attrs = {
    kernel_shape: { ints: [kh, kw] },
    strides: { ints: strides },
    pads: { ints: [axes[0]!.begin, axes[1]!.begin, axes[0]!.end, axes[1]!.end] },
    output_padding: { ints: axes.map((a) => a.extra) },
  };
  return emitConv(ctx, 'ConvTranspose', x, w, dims, bias, attrs, [axes[0]!.out, axes[1]!.out, cout]);
};

/** TF's transposed-conv output size along one axis, and the ONNX crop (pads) / output_padding reaching it. */
function transposeAxis(size: number, k: number, s: number, same: boolean): { out: number; begin: number; end: number; extra: number } {
  const total = same ? Math.max(k - s, 0) : 0;
  const begin = Math.floor(total / 2);
  const out = same ? size * s : size * s + Math.max(k - s, 0);
  return { out, begin, end: total - begin, extra: Math.max(s - k, 0) };
}

export const CONV_LAYERS: Readonly<Record<string, LayerConverter>> = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  Conv2DTranspose: conv2dTranspose,
};

/** Layer classes into which a following BatchNormalization can be folded (when their activation is linear). */
export const FOLDABLE = new Set(['Conv2D', 'DepthwiseConv2D', 'Conv2DTranspose', 'Dense']);
