import * as tf from '@tensorflow/tfjs';
import type { ImageShape } from '../src/data/types.js';
import { Adam } from './adam.js';
import { trainable } from './gan.js';
import { initWeights } from './init.js';
import { bce, noPreview, TRANSLATOR_ADAM, TRANSLATOR_INIT, pixelScores, targetsOf, translatorFields, tripletRows } from './translator-common.js';
import { OUTPUT_LAYER } from './translator-nets.js';
import type { Batch, ModelContext, Scalars, TrainableModel } from './types.js';

/**
 * The paired translation GAN both `pix2pix` and `fcn-mse` are: a generator G(x) trained against a discriminator D
 * with loss_G = adv + lambda * pixel(G(x), y), and loss_D = (BCE(D(real), 1) + BCE(D(G(x)), 0)) / 2, where D sees
 * (x, y) pairs when conditional (pix2pix) or images alone (fcn-mse). adv is the non-saturating -log D(G(x)). One
 * step: G runs forward once; D takes its step on the detached output, then G's loss goes through the updated D (as
 * gan.ts). Adam 1e-3, beta1 0.5 for both, Glorot-uniform weights (TRANSLATOR_ADAM in translator-common.ts).
 *
 * @example
 * const net = buildPairedGan(ctx, { name: 'pix2pix', generator: unet, discriminator: (s, t) => patchDiscriminator(t, 'd', s), conditional: true, pixel: 'l1', lambda: 100 });
 * net.step(batch, rng); // { d_loss: 0.69, g_adv: 0.70, g_l1: 0.41, g_loss: 41.7 }
 */
export interface PairedGanOptions {
  readonly generator: (src: ImageShape, dst: ImageShape, prefix: string) => tf.LayersModel;
  readonly discriminator: (src: ImageShape, dst: ImageShape) => tf.LayersModel;
  /** D also sees the source (inputs [source, image]). */
  readonly conditional: boolean;
  readonly pixel: 'l1' | 'mse';
  readonly lambda: number;
}

export function buildPairedGan(ctx: ModelContext, o: PairedGanOptions): TrainableModel {
  const dst = ctx.targetShape ?? ctx.shape;
  const g = o.generator(ctx.shape, dst, 'g');
  const d = o.discriminator(ctx.shape, dst);
  initWeights(g, ctx.rng.fork('generator'), TRANSLATOR_INIT);
  initWeights(d, ctx.rng.fork('discriminator'), TRANSLATOR_INIT);
  const optG = new Adam(trainable(g), TRANSLATOR_ADAM);
  const optD = new Adam(trainable(d), TRANSLATOR_ADAM);
  const translate = (x: tf.Tensor4D): tf.Tensor4D => tf.tidy(() => g.apply(x, { training: false }) as tf.Tensor4D);
  return {
    nets: { generator: g, discriminator: d },
    optimizers: { generator: optG, discriminator: optD },
    exported: g,
    manifest: translatorFields(ctx, { losses: { adversarial: 'non-saturating BCE', pixel: o.pixel, lambda: o.lambda }, discriminator: o.conditional ? 'conditional PatchGAN' : 'image' }),
    onnx: { output: OUTPUT_LAYER },
    step: (batch) => pairedStep({ g, d, optG, optD, o }, batch),
    preview: (_rng, fixed) => {
      if (!fixed) return noPreview(ctx);
      const y = translate(fixed.images);
      const rows = tripletRows([fixed.images, y, targetsOf(fixed)]);
      y.dispose();
      return rows;
    },
    evaluate: (batch) => {
      const y = translate(batch.images);
      const s = pixelScores(y, targetsOf(batch));
      y.dispose();
      return s;
    },
  };
}

interface Parts {
  readonly g: tf.LayersModel;
  readonly d: tf.LayersModel;
  readonly optG: Adam;
  readonly optD: Adam;
  readonly o: PairedGanOptions;
}

function pairedStep(p: Parts, batch: Batch): Scalars {
  const x = batch.images;
  const y = targetsOf(batch);
  const disc = (img: tf.Tensor): tf.Tensor => p.d.apply(p.o.conditional ? [x, img] : img, { training: true }) as tf.Tensor;
  const out: Scalars = {};
  const gStep = tf.variableGrads(() => tf.tidy(() => {
    const fake = p.g.apply(x, { training: true }) as tf.Tensor4D;
    const dStep = tf.variableGrads(() => tf.tidy(() => tf.mul(tf.add(bce(disc(y), true), bce(disc(fake), false)), 0.5) as tf.Scalar), p.optD.variables);
    p.optD.apply(dStep.grads);
    out['d_loss'] = dStep.value.dataSync()[0]!;
    dStep.value.dispose();
    const adv = bce(disc(fake), true);
    const diff = tf.sub(fake, y);
    const pix = p.o.pixel === 'l1' ? tf.mean(tf.abs(diff)) : tf.mean(tf.square(diff));
    out['g_adv'] = adv.dataSync()[0]!;
    out[`g_${p.o.pixel}`] = pix.dataSync()[0]!;
    return tf.add(adv, tf.mul(pix, p.o.lambda)) as tf.Scalar;
  }), p.optG.variables);
  p.optG.apply(gStep.grads);
  out['g_loss'] = gStep.value.dataSync()[0]!;
  gStep.value.dispose();
  return out;
}
