import { buildGan } from './gan.js';
import type { ReferenceModel } from './types.js';

/**
 * `dcgan`: DCGAN for small grayscale images (28x28 MNIST, polygons), the architecture of
 * bench/dcgan_step_torch.py (GENBENCH_ASSETS) with a 100-dimensional latent; networks and step in gan.ts.
 *
 * @example
 * genbench train --model dcgan --dataset mnist --epochs 5 --out runs/dcgan
 */
export const dcgan: ReferenceModel = {
  name: 'dcgan',
  description: 'DCGAN (Radford et al. 2015): BatchNorm generator, Adam 2e-4 / beta1 0.5, non-saturating loss, latent 100',
  role: 'generator',
  needsLabels: false,
  inputRange: [-1, 1],
  defaults: { batch: 64, epochs: 5 },
  build: (ctx) => buildGan(ctx, { latentDim: 100, conditional: false }),
};
