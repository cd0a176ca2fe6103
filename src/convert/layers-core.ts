import { GenbenchError } from '../errors.js';
import { channelsLast, num, pair, single, str, unsupported, type LayerConverter } from './context.js';
import { onnxAxis } from './graph-builder.js';
import { configActivation } from './layers-activation.js';
import { samePads } from './layers-conv.js';

/**
 * Core keras layers: Dense (MatMul + Add on the last axis, keras order), Embedding (Gather on the int64-cast ids),
 * Reshape and Flatten (in keras H, W, C order: an NCHW tensor is transposed back first, so flattened features match
 * tfjs element for element), Dropout and other inference-time identities, Concatenate and the merge layers,
 * ZeroPadding2D, global and windowed pooling (TF 'same' pooling pads asymmetrically and averages only real pixels,
 * as ONNX AveragePool with count_include_pad 0 does), and genbench's ArgMax (reference-models/argmax-layer.ts: the index of
 * the largest channel as float, the axis kept; ONNX ArgMax, keepdims 1, first index on ties, then Cast to float) and
 * AddCoords (the row and column in [-1, 1] as two more channels: channel 0 of x times 0 plus the constant grids,
 * broadcast over the batch, concatenated).
 *
 * @example
 * CORE_LAYERS['Flatten']!(ctx); // { name: 'flatten', shape: [7 * 7 * 16], layout: 'keras' }
 */
const dense: LayerConverter = (ctx) => {
  const x = ctx.g.keras(single(ctx));
  const k = ctx.weight('kernel'); // [in, units]
  const [cin, units] = k.shape as [number, number];
  const w = Float32Array.from(k.data);
  let bias = ctx.layer.config['use_bias'] === false ? new Float32Array(units) : Float32Array.from(ctx.weight('bias').data);
  const fold = ctx.fold;
  if (fold !== undefined) {
    for (let i = 0; i < w.length; i++) w[i]! *= fold.scale[i % units]!;
    bias = bias.map((b, c) => b * fold.scale[c]! + fold.shift[c]!);
  }
  const g = ctx.g;
  const name = ctx.layer.name;
  const mm = g.node('MatMul', [x.name, g.constF32(`${name}/kernel`, [cin, units], w)], `${name}/matmul`);
  const y = g.node('Add', [mm, g.constF32(`${name}/bias`, [units], bias)], `${name}/dense`);
  return configActivation(ctx, { name: y, shape: [...x.shape.slice(0, -1), units], layout: 'keras' });
};

const embedding: LayerConverter = (ctx) => {
  const x = ctx.g.keras(single(ctx));
  const e = ctx.weight('embeddings'); // [vocab, dim]
  const g = ctx.g;
  const ids = g.node('Cast', [x.name], `${ctx.layer.name}/ids`, { to: { int: 7 } });
  const table = g.constF32(`${ctx.layer.name}/embeddings`, e.shape, e.data);
  return { name: g.node('Gather', [table, ids], ctx.layer.name, { axis: { int: 0 } }), shape: [...x.shape, e.shape[1]!], layout: 'keras' };
};

const reshape: LayerConverter = (ctx) => {
  const x = ctx.g.keras(single(ctx));
  const target = (ctx.layer.config['target_shape'] ?? ctx.layer.config['targetShape']) as number[] | undefined;
  if (!Array.isArray(target)) throw new GenbenchError('INPUT', `layer '${ctx.layer.name}' (Reshape): config has no target_shape`);
  const total = x.shape.reduce((a, b) => a * b, 1);
  const known = target.filter((d) => d !== -1 && d !== null).reduce((a, b) => a * b, 1);
  const shape = target.map((d) => (d === -1 || d === null ? total / known : d));
  const dims = ctx.g.constI64(`${ctx.layer.name}/shape`, [0, ...shape]);
  return { name: ctx.g.node('Reshape', [x.name, dims], ctx.layer.name), shape, layout: 'keras' };
};

const flatten: LayerConverter = (ctx) => {
  const x = ctx.g.keras(single(ctx));
  const size = x.shape.reduce((a, b) => a * b, 1);
  return { name: ctx.g.node('Flatten', [x.name], ctx.layer.name, { axis: { int: 1 } }), shape: [size], layout: 'keras' };
};

const identity: LayerConverter = (ctx) => single(ctx);

const concatenate: LayerConverter = (ctx) => {
  const rank = ctx.inputs[0]!.shape.length + 1;
  const layout = rank === 4 && ctx.inputs.some((t) => t.layout === 'nchw') ? 'nchw' : 'keras';
  const xs = ctx.inputs.map((t) => ctx.g.as(t, layout));
  const axis = num(ctx, 'axis', -1);
  const a = axis < 0 ? axis + rank : axis;
  const shape = [...xs[0]!.shape];
  shape[a - 1] = xs.reduce((s, t) => s + t.shape[a - 1]!, 0);
  const name = ctx.g.node('Concat', xs.map((t) => t.name), ctx.layer.name, { axis: { int: onnxAxis(a, rank, layout) } });
  return { name, shape, layout };
};

function merge(op: string): LayerConverter {
  return (ctx) => {
    const layout = ctx.inputs.some((t) => t.layout === 'nchw') ? 'nchw' : 'keras';
    const xs = ctx.inputs.map((t) => ctx.g.as(t, layout));
    let acc = xs[0]!.name;
    for (let i = 1; i < xs.length; i++) acc = ctx.g.node(op === 'Average' ? 'Add' : op, [acc, xs[i]!.name], `${ctx.layer.name}/${i}`);
    if (op === 'Average') acc = ctx.g.node('Mul', [acc, ctx.g.scalar(`${ctx.layer.name}/inv_n`, 1 / xs.length)], ctx.layer.name);
    return { name: acc, shape: xs[0]!.shape, layout };
  };
}

const zeroPadding2d: LayerConverter = (ctx) => {
  channelsLast(ctx);
  const x = ctx.g.nchw(single(ctx));
  const p = ctx.layer.config['padding'];
  const [[top, bottom], [left, right]] = (typeof p === 'number' ? [[p, p], [p, p]] : (p as number[] | number[][]).map((v) => (typeof v === 'number' ? [v, v] : v))) as [number, number][];
  const pads = ctx.g.constI64(`${ctx.layer.name}/pads`, [0, 0, top!, left!, 0, 0, bottom!, right!]);
  const shape = [x.shape[0]! + top! + bottom!, x.shape[1]! + left! + right!, x.shape[2]!];
  return { name: ctx.g.node('Pad', [x.name, pads], ctx.layer.name, { mode: { string: 'constant' } }), shape, layout: 'nchw' };
};

function globalPool(op: 'GlobalAveragePool' | 'GlobalMaxPool'): LayerConverter {
  return (ctx) => {
    channelsLast(ctx);
    const x = ctx.g.nchw(single(ctx));
    const c = x.shape[2]!;
    const pooled = ctx.g.node(op, [x.name], `${ctx.layer.name}/pool`);
    if (ctx.layer.config['keepdims'] === true || ctx.layer.config['keepDims'] === true) return { name: pooled, shape: [1, 1, c], layout: 'nchw' };
    return { name: ctx.g.node('Flatten', [pooled], ctx.layer.name, { axis: { int: 1 } }), shape: [c], layout: 'keras' };
  };
}

function pool(op: 'MaxPool' | 'AveragePool'): LayerConverter {
  return (ctx) => {
    channelsLast(ctx);
    const x = ctx.g.nchw(single(ctx));
    const k = pair(ctx, 'pool_size', [2, 2]);
    const s = pair(ctx, 'strides', k);
    const padding = str(ctx, 'padding', 'valid');
    if (padding !== 'same' && padding !== 'valid') throw unsupported(ctx, `padding '${padding}'`);
    const p = [0, 1].map((a) => (padding === 'same' ? samePads(x.shape[a]!, k[a]!, s[a]!, 1) : { out: Math.floor((x.shape[a]! - k[a]!) / s[a]!) + 1, begin: 0, end: 0 }));
    const attrs = { kernel_shape: { ints: k }, strides: { ints: s }, pads: { ints: [p[0]!.begin, p[1]!.begin, p[0]!.end, p[1]!.end] } };
    const name = ctx.g.node(op, [x.name], ctx.layer.name, op === 'AveragePool' ? { ...attrs, count_include_pad: { int: 0 } } : attrs);
    return { name, shape: [p[0]!.out, p[1]!.out, x.shape[2]!], layout: 'nchw' };
  };
}

const argMax: LayerConverter = (ctx) => {
  const x = single(ctx);
  const axis = num(ctx, 'axis', -1);
  const rank = x.shape.length + 1;
  if (axis !== -1 && axis !== rank - 1) throw unsupported(ctx, `axis ${axis} (only the last axis)`);
  const name = ctx.layer.name;
  const idx = ctx.g.node('ArgMax', [x.name], `${name}/argmax`, { axis: { int: onnxAxis(-1, rank, x.layout) }, keepdims: { int: 1 }, select_last_index: { int: 0 } });
  return { name: ctx.g.node('Cast', [idx], name, { to: { int: 1 } }), shape: [...x.shape.slice(0, -1), 1], layout: x.layout };
};

const addCoords: LayerConverter = (ctx) => {
  const x = ctx.g.nchw(single(ctx));
  const [h, w, c] = x.shape as [number, number, number];
  const name = ctx.layer.name;
  const at = (i: number, size: number): number => (size === 1 ? 0 : (2 * i) / (size - 1) - 1);
  const grid = new Float32Array(2 * h * w); // [1, 2, H, W]: rows, then columns
  for (let y = 0; y < h; y++) for (let k = 0; k < w; k++) [grid[y * w + k], grid[h * w + y * w + k]] = [at(y, h), at(k, w)];
  const g = ctx.g;
  const first = g.node('Slice', [x.name, g.constI64(`${name}/starts`, [0]), g.constI64(`${name}/ends`, [1]), g.constI64(`${name}/axes`, [1])], `${name}/first`);
  const zero = g.node('Mul', [first, g.scalar(`${name}/zero`, 0)], `${name}/zero_map`);
  const coords = g.node('Add', [zero, g.constF32(`${name}/grid`, [1, 2, h, w], grid)], `${name}/grid_map`);
  return { name: g.node('Concat', [x.name, coords], name, { axis: { int: 1 } }), shape: [h, w, c + 2], layout: 'nchw' };
};

export const CORE_LAYERS: Readonly<Record<string, LayerConverter>> = {
  Dense: dense,
  Embedding: embedding,
  Reshape: reshape,
  Flatten: flatten,
  Dropout: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
  Concatenate: concatenate,
  Add: merge('Add'),
  Subtract: merge('Sub'),
  Multiply: merge('Mul'),
  Average: merge('Average'),
  Maximum: merge('Max'),
  Minimum: merge('Min'),
  ZeroPadding2D: zeroPadding2d,
  GlobalAveragePooling2D: globalPool('GlobalAveragePool'),
  GlobalMaxPooling2D: globalPool('GlobalMaxPool'),
  MaxPooling2D: pool('MaxPool'),
  AveragePooling2D: pool('AveragePool'),
  ArgMax: argMax,
  AddCoords: addCoords,
};
