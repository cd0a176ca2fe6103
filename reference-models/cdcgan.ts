import { buildGan } from './gan.js';
import type { ReferenceModel } from './types.js';

/**
 * `cdcgan`: class-conditional DCGAN (Mirza & Osindero 2014 conditioning on the DCGAN of gan.ts): a one-hot label
 * goes into G (concatenated to z) and into D (an extra input channel and again before the logit). The checkpoint's
 * manifest declares `conditional: { classes, input: 'label', encoding: 'onehot' }`.
 *
 * @example
 * genbench train --model cdcgan --dataset polygons --split 'train[:8000]' --epochs 5 --out runs/cdcgan
 */
export const cdcgan: ReferenceModel = {
  name: 'cdcgan',
  description: 'class-conditional DCGAN: one-hot labels into G and D, otherwise as dcgan',
  role: 'generator',
  needsLabels: true,
  inputRange: [-1, 1],
  defaults: { batch: 64, epochs: 5 },
  build: (ctx) => buildGan(ctx, { latentDim: 100, conditional: true }),
};
