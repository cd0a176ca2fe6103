import * as tf from '@tensorflow/tfjs';
import { GenbenchError } from '../src/errors.js';
import { diceScores } from '../metrics/dice.js';
import { LABEL_PALETTE } from '../src/io/label-colours.js';
import { Adam } from './adam.js';
import { ArgMax } from './custom-layers.js';
import { trainable } from './gan.js';
import { initWeights } from './init.js';
import { noPreview, TRANSLATOR_INIT, targetsOf, translatorFields, tripletRows } from './translator-common.js';
import { OUTPUT_LAYER, requireDivisible, segmentationUnet } from './translator-nets.js';
import type { Batch, ModelContext, ReferenceModel, Scalars, TrainableModel } from './types.js';

/**
 * `segmenter`: a small U-Net (translator-nets.ts: the pixel's row and column as two more input channels, three
 * stride-2 levels with skips, 16/32 channels) with a softmax over K = labels + 1 classes per pixel, trained with
 * class-weighted cross-entropy (each pixel weighted by 1 / sqrt of its class's frequency in the batch, the weights
 * normalised to mean 1 over the pixels) + SOFT_DICE_WEIGHT * soft Dice loss (Milletari et al. 2016: 1 - the mean
 * over the classes k >= 1 present in the batch's targets of 2 sum(p_k y_k) / (sum p_k + sum y_k), the batch
 * pooled). The weights keep the many small regions from drowning in the background: with unweighted cross-entropy
 * + soft Dice the network labelled every pixel background for the first 90 steps (batch 8) on colin27-t1-aal. Adam
 * 1e-2 / beta1 0.9, Glorot-uniform weights. Segmentation tasks only (label-map targets: pixel value = label, 0
 * background); sides divisible by 8. The exported translator is the same network with an ArgMax on the logits:
 * one channel whose value is the label (output_range [0,255]), the task's own target format, so `genbench evaluate
 * --translator` scores it by Dice as it is. Held-out scores: `dice` (the harness's mean Dice, translate-dice.ts, of
 * the argmax labels; pooled over each held-out batch of up to 500 slices) and `accuracy` (pixels labelled right).
 *
 * @example
 * genbench train --model segmenter --task colin27-t1-aal --minutes 2 --out runs/seg
 */
export const SOFT_DICE_WEIGHT = 1;
export const SEGMENTER_ADAM = { lr: 1e-2, beta1: 0.9, beta2: 0.999 } as const;

export const segmenter: ReferenceModel = {
  name: 'segmenter',
  description: `segmenter: U-Net, softmax over labels + background, cross-entropy + ${SOFT_DICE_WEIGHT} x soft Dice; exports the argmax label map`,
  role: 'translator',
  pairing: 'paired',
  targets: 'labels',
  needsLabels: false,
  inputRange: [-1, 1],
  defaults: { batch: 8, epochs: 20 },
  build: (ctx) => buildSegmenter(ctx),
};

function buildSegmenter(ctx: ModelContext): TrainableModel {
  requireDivisible('segmenter', ctx.shape, 8);
  const k = ctx.classes;
  if (k < 2) throw new GenbenchError('USAGE', '--model segmenter trains on label maps: give a segmentation task (label-map targets, e.g. colin27-t1-aal)');
  const net = segmentationUnet(ctx.shape, k, 'seg');
  initWeights(net, ctx.rng.fork('segmenter'), TRANSLATOR_INIT);
  const labelMap = new ArgMax({ name: OUTPUT_LAYER }).apply(net.outputs[0]!) as tf.SymbolicTensor;
  const exported = tf.model({ inputs: net.inputs, outputs: labelMap, name: 'segmenter' });
  const opt = new Adam(trainable(net), SEGMENTER_ADAM);
  const predict = (x: tf.Tensor4D): tf.Tensor3D => tf.tidy(() => tf.argMax(net.apply(x, { training: false }) as tf.Tensor4D, -1).toInt() as tf.Tensor3D);
  const t = ctx.targetShape ?? ctx.shape;
  return {
    nets: { segmenter: net },
    optimizers: { segmenter: opt },
    exported,
    manifest: {
      ...translatorFields(ctx, { losses: { cross_entropy: 1, soft_dice: SOFT_DICE_WEIGHT } }),
      output_shape: [t.height, t.width, 1],
      output_range: '[0,255]',
      segmentation: { labels: k - 1, background: 0, output: 'argmax over the classes: the value is the label' },
    },
    onnx: { output: OUTPUT_LAYER },
    step: (batch) => segmenterStep(net, opt, k, batch),
    preview: (_rng, fixed) => {
      if (!fixed) return noPreview(ctx);
      return tf.tidy(() => tripletRows([fixed.images, coloured(predict(fixed.images)), coloured(labelsOf(targetsOf(fixed)))]));
    },
    evaluate: (batch) => {
      const [y, target] = [predict(batch.images), labelsOf(targetsOf(batch))];
      const [o, g] = [y.dataSync(), target.dataSync()];
      tf.dispose([y, target]);
      const size = o.length / batch.size;
      const { mean } = diceScores({ output: { n: batch.size, size, data: o }, target: { n: batch.size, size, data: g } });
      let right = 0;
      for (let i = 0; i < o.length; i++) if (o[i] === g[i]) right++;
      return { ...(Number.isFinite(mean) ? { dice: mean } : {}), accuracy: right / o.length };
    },
  };
}

/** int32 labels [N, H, W] of one-channel targets in [-1, 1] (the uint8 label k arrives as k / 127.5 - 1). */
function labelsOf(targets: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => tf.round(tf.mul(tf.add(tf.squeeze(targets, [3]), 1), 127.5)).toInt() as tf.Tensor3D);
}

/** Label maps [N, H, W] as RGB tiles in [-1, 1] in the categorical colour map (io/label-colours.ts). */
function coloured(labels: tf.Tensor3D): tf.Tensor4D {
  return tf.tidy(() => {
    const palette = tf.sub(tf.div(tf.tensor2d(LABEL_PALETTE, [256, 3], 'float32'), 127.5), 1);
    const [n, h, w] = labels.shape;
    return tf.reshape(tf.gather(palette, tf.clipByValue(tf.reshape(labels, [-1]), 0, 255)), [n, h, w, 3]) as tf.Tensor4D;
  });
}

/** One Adam step on cross-entropy + SOFT_DICE_WEIGHT * soft Dice loss; returns { ce, soft_dice, loss }. */
function segmenterStep(net: tf.LayersModel, opt: Adam, k: number, batch: Batch): Scalars {
  const out: Scalars = {};
  const { value, grads } = tf.variableGrads(() => tf.tidy(() => {
    const logits = net.apply(batch.images, { training: true }) as tf.Tensor4D;
    const y = tf.oneHot(labelsOf(targetsOf(batch)), k).toFloat();
    const fg = [0, 1, 2];
    const truth = tf.sum(y, fg);
    const classWeight = tf.rsqrt(tf.add(tf.div(truth, tf.sum(truth)), 1e-4)); // 1 / sqrt(frequency in the batch)
    const pixelWeight = tf.sum(tf.mul(y, classWeight), -1);
    const perPixel = tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, tf.Reduction.NONE);
    const ce = tf.div(tf.sum(tf.mul(perPixel, pixelWeight)), tf.sum(pixelWeight)) as tf.Scalar;
    const p = tf.softmax(logits);
    const inter = tf.sum(tf.mul(p, y), fg);
    const dice = tf.div(tf.mul(inter, 2), tf.add(tf.add(tf.sum(p, fg), truth), 1e-6));
    const present = tf.concat([tf.zeros([1]), tf.slice(tf.cast(tf.greater(truth, 0), 'float32'), [1], [k - 1])]);
    const softDice = tf.sub(1, tf.div(tf.sum(tf.mul(dice, present)), tf.maximum(tf.sum(present), 1))) as tf.Scalar;
    out['ce'] = ce.dataSync()[0]!;
    out['soft_dice'] = softDice.dataSync()[0]!;
    return tf.add(ce, tf.mul(softDice, SOFT_DICE_WEIGHT)) as tf.Scalar;
  }), opt.variables);
  opt.apply(grads);
  out['loss'] = value.dataSync()[0]!;
  value.dispose();
  return out;
}
