import * as tf from '@tensorflow/tfjs';
import type { ImageShape } from '../src/data/types.js';
import { Adam } from './adam.js';
import { trainable } from './gan.js';
import { initWeights } from './init.js';
import { bce, targetsOf } from './translator-common.js';
import type { Batch, ModelContext, ReferenceModel, Scalars, TrainableModel } from './types.js';

/**
 * `dann`: domain-adversarial training (Ganin & Lempitsky 2015) of the `classifier` CNN on a labelled source domain
 * and an unlabelled target domain (MNIST -> UCI digits). Feature extractor F (Conv 32 3x3, ReLU, MaxPool 2, Conv 64
 * 3x3, ReLU, MaxPool 2, Flatten, Dense 128 ReLU `features`), label head C (Dense classes `logits`), domain
 * discriminator D on the features (Dense 64 ReLU, Dense 1: source or target). Loss of F and C:
 * CE(C(F(x_s)), y_s) - lambda_p BCE_domain(D(F(x))); D minimises BCE_domain. Subtracting the domain loss for F is
 * the gradient-reversal layer written out: F gets -lambda_p times D's gradient, D its own. lambda_p ramps as the
 * paper's 2 / (1 + exp(-10 p)) - 1 with p = step / 1000 (capped at 1), times 0.1: at the paper's full weight F
 * outruns D here and the domain loss diverges (150 steps of batch 64: domain BCE 190, target accuracy 21%). With `adversarial: false` (`--no-adversarial`)
 * lambda is 0 and D is never trained: the source-only baseline. Adam 1e-3 for all; Glorot weights. Held out:
 * `target_accuracy` on labelled target images (their labels are never trained on). The checkpoint is the classifier
 * F + C, as `classifier` writes it (features.json included).
 *
 * @example
 * genbench train --model dann --dataset mnist --target uci-digits --minutes 3 --out runs/dann
 */
const L = tf.layers;
export const DANN_RAMP_STEPS = 1000;

export const dann: ReferenceModel = {
  name: 'dann',
  description: 'DANN: the classifier CNN with a gradient-reversal domain adversary on its features (labelled source, unlabelled target)',
  role: 'classifier',
  pairing: 'unpaired',
  needsLabels: true,
  inputRange: [0, 1],
  defaults: { batch: 64, epochs: 3 },
  build: buildDann,
};

/** The largest lambda: with Adam at 1e-3 a weight of 1 lets F outrun D and the domain loss diverge (measured). */
export const DANN_LAMBDA_MAX = 0.1;

/** lambda_p of Ganin & Lempitsky after `step` steps, scaled to DANN_LAMBDA_MAX. */
export function dannLambda(step: number): number {
  const p = Math.min(1, step / DANN_RAMP_STEPS);
  return DANN_LAMBDA_MAX * (2 / (1 + Math.exp(-10 * p)) - 1);
}

function buildDann(ctx: ModelContext): TrainableModel {
  const adversarial = ctx.adversarial ?? true;
  const { trunk, net } = networks(ctx.shape, ctx.classes);
  const d = domainHead();
  initWeights(net, ctx.rng.fork('classifier'), 'glorot');
  initWeights(d, ctx.rng.fork('domain'), 'glorot');
  const opt = new Adam(trainable(net), { lr: 1e-3 });
  const optD = new Adam(trainable(d), { lr: 1e-3 });
  return {
    nets: { classifier: net, domain: d },
    optimizers: { classifier: opt, domain: optD },
    exported: net,
    manifest: { classes: ctx.classes, input: 'image', features: 'features', logits: 'logits', input_range: '[0,1]', adversarial, gradient_reversal: adversarial ? `lambda_p = ${DANN_LAMBDA_MAX} (2 / (1 + exp(-10 p)) - 1), p = step / ${DANN_RAMP_STEPS}` : 'none (source-only baseline)' },
    step: (batch) => dannStep({ trunk, d, opt, optD, classes: ctx.classes, adversarial }, batch),
    evaluate: (batch) => {
      const correct = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(net.apply(batch.images, { training: false }) as tf.Tensor2D, 1), batch.labels!), 'float32')));
      const accuracy = correct.dataSync()[0]! / batch.size;
      correct.dispose();
      return { target_accuracy: accuracy };
    },
  };
}

interface Parts {
  readonly trunk: tf.LayersModel;
  readonly d: tf.LayersModel;
  readonly opt: Adam;
  readonly optD: Adam;
  readonly classes: number;
  readonly adversarial: boolean;
}

function dannStep(p: Parts, batch: Batch): Scalars {
  const lambda = p.adversarial ? dannLambda(p.opt.t) : 0;
  const out: Scalars = {};
  const domainLoss = (fs: tf.Tensor, ft: tf.Tensor): tf.Scalar => tf.mul(tf.add(bce(p.d.apply(fs) as tf.Tensor, true), bce(p.d.apply(ft) as tf.Tensor, false)), 0.5) as tf.Scalar;
  const step = tf.variableGrads(() => tf.tidy(() => {
    const [fs, logits] = p.trunk.apply(batch.images, { training: true }) as tf.Tensor[];
    const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(batch.labels!, p.classes), logits!) as tf.Scalar;
    out['class_loss'] = ce.dataSync()[0]!;
    if (!p.adversarial) return ce;
    const [ft] = p.trunk.apply(targetsOf(batch), { training: true }) as tf.Tensor[];
    const dStep = tf.variableGrads(() => tf.tidy(() => domainLoss(fs!, ft!)), p.optD.variables);
    p.optD.apply(dStep.grads);
    out['domain_loss'] = dStep.value.dataSync()[0]!;
    dStep.value.dispose();
    return tf.sub(ce, tf.mul(domainLoss(fs!, ft!), lambda)) as tf.Scalar;
  }), p.opt.variables);
  p.opt.apply(step.grads);
  step.value.dispose();
  return { ...out, lambda };
}

/** The classifier (image -> logits) and the same layers with the features as a second output. */
function networks(shape: ImageShape, classes: number): { trunk: tf.LayersModel; net: tf.LayersModel } {
  const x = tf.input({ shape: [shape.height, shape.width, shape.channels], name: 'image' });
  let h = L.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c_conv1' }).apply(x);
  h = L.maxPooling2d({ poolSize: 2, name: 'c_pool1' }).apply(h);
  h = L.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c_conv2' }).apply(h);
  h = L.maxPooling2d({ poolSize: 2, name: 'c_pool2' }).apply(h);
  h = L.flatten({ name: 'c_flatten' }).apply(h);
  const features = L.dense({ units: 128, activation: 'relu', name: 'features' }).apply(h) as tf.SymbolicTensor;
  const logits = L.dense({ units: classes, name: 'logits' }).apply(features) as tf.SymbolicTensor;
  return { trunk: tf.model({ inputs: x, outputs: [features, logits], name: 'dann_trunk' }), net: tf.model({ inputs: x, outputs: logits, name: 'classifier' }) };
}

function domainHead(): tf.LayersModel {
  const f = tf.input({ shape: [128], name: 'features_in' });
  const h = L.dense({ units: 64, activation: 'relu', name: 'd_dense' }).apply(f);
  return tf.model({ inputs: f, outputs: L.dense({ units: 1, name: 'd_logit' }).apply(h) as tf.SymbolicTensor, name: 'domain' });
}
