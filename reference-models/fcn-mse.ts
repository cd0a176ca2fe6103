import { buildPairedGan } from './paired-gan.js';
import { fcn, imageDiscriminator } from './translator-nets.js';
import type { ReferenceModel } from './types.js';

/**
 * `fcn-mse`: the MRI->CT synthesis design (Nie et al. 2017, "Medical image synthesis with context-aware generative
 * adversarial networks", without its auto-context cascade and gradient-difference loss), scaled down: a fully
 * convolutional generator at full resolution (four 3x3 convs, 16 channels, no pooling) and an image-level
 * discriminator that sees the generated or real target alone, trained with the non-saturating adversarial loss +
 * lambda * MSE, lambda = 100, Adam 1e-3 / beta1 0.5 (translator-nets.ts, paired-gan.ts). Paired tasks, any size.
 *
 * @example
 * genbench train --model fcn-mse --task colin27-t1-bet --minutes 2 --out runs/fcn
 */
export const FCN_MSE_LAMBDA = 100;

export const fcnMse: ReferenceModel = {
  name: 'fcn-mse',
  description: `fcn-mse: fully convolutional generator, image discriminator, adversarial + ${FCN_MSE_LAMBDA} x MSE`,
  role: 'translator',
  pairing: 'paired',
  needsLabels: false,
  inputRange: [-1, 1],
  defaults: { batch: 16, epochs: 5 },
  build: (ctx) => buildPairedGan(ctx, { generator: fcn, discriminator: (_src, dst) => imageDiscriminator(dst, 'd'), conditional: false, pixel: 'mse', lambda: FCN_MSE_LAMBDA }),
};
