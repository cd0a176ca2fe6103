import type { GraphBuilder, KTensor } from './graph-builder.js';
import { onnxAxis } from './graph-builder.js';
import { num, single, str, unsupported, type Affine, type ConvertContext, type LayerConverter } from './context.js';

/**
 * Activations (the `Activation` layer, the `activation` field of Conv/Dense configs, ReLU/LeakyReLU/ELU/Softmax
 * layers) and BatchNormalization when it cannot be folded into the layer before it (then y = x * s + t with
 * s = gamma / sqrt(var + eps), t = beta - mean * s, as a Mul and an Add broadcast over the channel axis).
 *
 * @example
 * applyActivation(g, t, 'relu6', 'conv1_relu'); // a Clip(0, 6) node on t
 */
export function applyActivation(g: GraphBuilder, t: KTensor, activation: string, base: string, owner?: Pick<ConvertContext, 'layer'>): KTensor {
  const rank = t.shape.length + 1;
  const op = (o: string, attrs?: Parameters<GraphBuilder['node']>[3]): KTensor => ({ ...t, name: g.node(o, [t.name], base, attrs) });
  switch (activation) {
    case 'linear':
      return t;
    case 'relu':
      return op('Relu');
    case 'relu6':
      return { ...t, name: g.node('Clip', [t.name, g.scalar(`${base}/min`, 0), g.scalar(`${base}/max`, 6)], base) };
    case 'sigmoid':
      return op('Sigmoid');
    case 'tanh':
      return op('Tanh');
    case 'softmax':
      return op('Softmax', { axis: { int: onnxAxis(-1, rank, t.layout) } });
    case 'elu':
      return op('Elu', { alpha: { float: 1 } });
    case 'selu':
      return op('Selu');
    case 'softplus':
      return op('Softplus');
    case 'softsign':
      return op('Softsign');
    case 'hard_sigmoid':
    case 'hardSigmoid':
      return op('HardSigmoid', { alpha: { float: 0.2 }, beta: { float: 0.5 } });
    case 'swish':
      return { ...t, name: g.node('Mul', [t.name, g.node('Sigmoid', [t.name], `${base}/sigmoid`)], base) };
    default:
      throw unsupported(owner ?? { layer: { name: base, className: 'Activation', config: {}, inbound: [] } }, `activation '${activation}'`);
  }
}

/** The `activation` field of a layer config applied to `t` (linear when absent). */
export function configActivation(ctx: ConvertContext, t: KTensor): KTensor {
  return applyActivation(ctx.g, t, str(ctx, 'activation', 'linear'), `${ctx.layer.name}/act`, ctx);
}

/** Per-channel affine map of a BatchNormalization layer's weights (gamma/beta absent when scale/center is false). */
export function batchNormAffine(ctx: ConvertContext): Affine {
  const mean = ctx.weight('moving_mean').data;
  const variance = ctx.weight('moving_variance').data;
  const gamma = ctx.layer.config['scale'] === false ? undefined : ctx.weight('gamma').data;
  const beta = ctx.layer.config['center'] === false ? undefined : ctx.weight('beta').data;
  const eps = num(ctx, 'epsilon', 1e-3);
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    scale[c] = (gamma?.[c] ?? 1) / Math.sqrt(variance[c]! + eps);
    shift[c] = (beta?.[c] ?? 0) - mean[c]! * scale[c]!;
  }
  return { scale, shift };
}

const batchNormalization: LayerConverter = (ctx) => {
  const t = single(ctx);
  const rank = t.shape.length + 1;
  const raw = ctx.layer.config['axis'] ?? -1;
  const axis = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
  if (typeof axis !== 'number') throw unsupported(ctx, `axis ${JSON.stringify(raw)}`);
  const { scale, shift } = batchNormAffine(ctx);
  const a = onnxAxis(axis, rank, t.layout);
  const dims = Array.from({ length: rank - 1 }, (_, k) => (k + 1 === a ? scale.length : 1));
  const name = ctx.layer.name;
  const mul = ctx.g.node('Mul', [t.name, ctx.g.constF32(`${name}/scale`, dims, scale)], `${name}/mul`);
  return { ...t, name: ctx.g.node('Add', [mul, ctx.g.constF32(`${name}/shift`, dims, shift)], name) };
};

const activationLayer: LayerConverter = (ctx) => configActivation(ctx, single(ctx));

const reluLayer: LayerConverter = (ctx) => {
  const t = single(ctx);
  const max = ctx.layer.config['max_value'] ?? ctx.layer.config['maxValue'];
  if (num(ctx, 'negative_slope', 0) !== 0 || num(ctx, 'threshold', 0) !== 0) throw unsupported(ctx, 'negative_slope or threshold');
  if (typeof max !== 'number') return applyActivation(ctx.g, t, 'relu', ctx.layer.name, ctx);
  const g = ctx.g;
  return { ...t, name: g.node('Clip', [t.name, g.scalar(`${ctx.layer.name}/min`, 0), g.scalar(`${ctx.layer.name}/max`, max)], ctx.layer.name) };
};

const leakyRelu: LayerConverter = (ctx) => {
  const t = single(ctx);
  return { ...t, name: ctx.g.node('LeakyRelu', [t.name], ctx.layer.name, { alpha: { float: num(ctx, 'alpha', 0.3) } }) };
};

const elu: LayerConverter = (ctx) => {
  const t = single(ctx);
  return { ...t, name: ctx.g.node('Elu', [t.name], ctx.layer.name, { alpha: { float: num(ctx, 'alpha', 1) } }) };
};

const softmax: LayerConverter = (ctx) => {
  const t = single(ctx);
  const axis = onnxAxis(num(ctx, 'axis', -1), t.shape.length + 1, t.layout);
  return { ...t, name: ctx.g.node('Softmax', [t.name], ctx.layer.name, { axis: { int: axis } }) };
};

export const ACTIVATION_LAYERS: Readonly<Record<string, LayerConverter>> = {
  Activation: activationLayer,
  ReLU: reluLayer,
  LeakyReLU: leakyRelu,
  ELU: elu,
  Softmax: softmax,
  BatchNormalization: batchNormalization,
};
