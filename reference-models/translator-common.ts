import * as tf from '@tensorflow/tfjs';
import type { Batch, ModelContext, Scalars } from './types.js';
import { OUTPUT_LAYER, SOURCE_INPUT } from './translator-nets.js';

/**
 * What the reference translators share besides their networks: the manifest fields of an exported translator
 * (NHWC, [-1, 1] in and out), the held-out pixel scores, the input | output | target preview, and the GAN losses.
 * Held-out scores are in the data's units (uint8 pixels: the model range [-1, 1] is 0..255), before rounding:
 * `l1` mean |y - t|, `mse` mean (y - t)^2, `psnr` the mean over images of 10 log10(255^2 / MSE_i) in dB, as
 * `genbench evaluate --translator` reports them.
 *
 * @example
 * pixelScores(output, target); // { l1: 11.2, mse: 260.1, psnr: 24.3 }
 */
export const UNIT = 255 / 2; // one unit of the model range in uint8 steps

/**
 * Adam for every reference translator's networks: beta1 0.5 as in pix2pix and CycleGAN, but lr 1e-3 instead of
 * their 2e-4, with Glorot-uniform initial weights instead of N(0, 0.02): with 16-32 channels and runs of minutes,
 * the papers' settings barely move the networks in the first hundreds of steps (measured on pneumonia-denoise:
 * 20 steps of batch 8 take held-out PSNR from 15.6 to 16.0 dB with them, to 22.6 dB with these).
 */
export const TRANSLATOR_ADAM = { lr: 1e-3, beta1: 0.5, beta2: 0.999 } as const;
export const TRANSLATOR_INIT = 'glorot' as const;

/** Manifest fields of a translator exported from `ctx`'s shapes (input `source`, output `translated`). */
export function translatorFields(ctx: ModelContext, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const t = ctx.targetShape ?? ctx.shape;
  return {
    input: SOURCE_INPUT,
    output: OUTPUT_LAYER,
    input_shape: [ctx.shape.height, ctx.shape.width, ctx.shape.channels],
    output_shape: [t.height, t.width, t.channels],
    input_range: '[-1,1]',
    output_range: '[-1,1]',
    ...extra,
  };
}

/** l1, mse and psnr of `output` against `target` (both [-1, 1]), in uint8 units, averaged over the batch. */
export function pixelScores(output: tf.Tensor4D, target: tf.Tensor4D): Scalars {
  const [l1, mse, psnr] = tf.tidy(() => {
    const d = tf.mul(tf.sub(output, target), UNIT);
    const perImage = tf.mean(tf.square(d), [1, 2, 3]);
    const db = tf.mul(10 / Math.LN10, tf.log(tf.div(255 * 255, tf.maximum(perImage, 1e-10))));
    return [tf.mean(tf.abs(d)), tf.mean(perImage), tf.mean(db)];
  });
  const values = [l1!, mse!, psnr!].map((t) => t.dataSync()[0]!);
  tf.dispose([l1!, mse!, psnr!]);
  return { l1: values[0]!, mse: values[1]!, psnr: values[2]! };
}

/** Rows of input | output(s) | target for the preview grid (1-channel tiles repeated to 3 when others have 3). */
export function tripletRows(tiles: tf.Tensor4D[]): { images: tf.Tensor4D; columns: number } {
  const images = tf.tidy(() => {
    const c = Math.max(...tiles.map((t) => t.shape[3]));
    const same = tiles.map((t) => (t.shape[3] === c ? t : tf.tile(t, [1, 1, 1, c])));
    const [n, h, w] = same[0]!.shape;
    return tf.reshape(tf.stack(same, 1), [n * same.length, h, w, c]) as tf.Tensor4D;
  });
  return { images, columns: tiles.length };
}

/** The empty preview of a model without held-out or training images (never happens in a run). */
export function noPreview(ctx: ModelContext): { images: tf.Tensor4D; columns: number } {
  return { images: tf.zeros([1, ctx.shape.height, ctx.shape.width, ctx.shape.channels]) as tf.Tensor4D, columns: 1 };
}

/** Non-saturating GAN loss: mean sigmoid cross-entropy of the logits against all-real (1) or all-fake (0). */
export function bce(logits: tf.Tensor, real: boolean): tf.Scalar {
  return tf.losses.sigmoidCrossEntropy(real ? tf.onesLike(logits) : tf.zerosLike(logits), logits) as tf.Scalar;
}

/** Least-squares GAN loss (Mao et al. 2017, as CycleGAN trains): mean (D(x) - 1)^2 or D(x)^2. */
export function lsgan(out: tf.Tensor, real: boolean): tf.Scalar {
  return tf.mean(tf.square(real ? tf.sub(out, 1) : out)) as tf.Scalar;
}

/** The batch's targets; a translator step without them is a programming error. */
export function targetsOf(batch: Batch): tf.Tensor4D {
  if (!batch.targets) throw new Error('a translator batch needs targets');
  return batch.targets;
}
