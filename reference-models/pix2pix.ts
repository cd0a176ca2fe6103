import { buildPairedGan } from './paired-gan.js';
import { patchDiscriminator, requireDivisible, unet } from './translator-nets.js';
import type { ReferenceModel } from './types.js';

/**
 * `pix2pix` (Isola et al. 2017), scaled down for small images: a U-Net generator (two stride-2 levels with skips,
 * 16/32 channels) and a conditional PatchGAN discriminator on (source, image) pairs (18x18 patches), trained with
 * the non-saturating adversarial loss + lambda * L1, lambda = 100 (the paper's), Adam 1e-3 / beta1 0.5
 * (translator-nets.ts, paired-gan.ts). Paired tasks; sides divisible by 4. Exported as an ONNX translator.
 *
 * @example
 * genbench train --model pix2pix --task pneumonia-denoise --minutes 2 --out runs/p2p
 */
export const PIX2PIX_LAMBDA = 100;

export const pix2pix: ReferenceModel = {
  name: 'pix2pix',
  description: `pix2pix: U-Net generator, conditional PatchGAN, adversarial + ${PIX2PIX_LAMBDA} x L1`,
  role: 'translator',
  pairing: 'paired',
  needsLabels: false,
  inputRange: [-1, 1],
  defaults: { batch: 16, epochs: 5 },
  build: (ctx) => {
    requireDivisible('pix2pix', ctx.shape, 4);
    return buildPairedGan(ctx, { generator: unet, discriminator: (src, dst) => patchDiscriminator(dst, 'd', src), conditional: true, pixel: 'l1', lambda: PIX2PIX_LAMBDA });
  },
};
