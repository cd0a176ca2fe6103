import { GenbenchError } from '../src/errors.js';
import { cdcgan } from './cdcgan.js';
import { classifier } from './classifier.js';
import { cyclegan } from './cyclegan.js';
import { dann } from './dann.js';
import { dcgan } from './dcgan.js';
import { fcnMse } from './fcn-mse.js';
import { pix2pix } from './pix2pix.js';
import { segmenter } from './segmenter.js';
import type { ReferenceModel } from './types.js';
import { vae } from './vae.js';

/**
 * The reference models genbench trains (a frozen Map built here; adding one is its file, one line
 * here and its test).
 *
 * @example
 * getReferenceModel('vae').defaults; // { batch: 64, epochs: 5 }
 */
export const REFERENCE_MODELS: ReadonlyMap<string, ReferenceModel> = Object.freeze(
  new Map<string, ReferenceModel>([
    ['dcgan', dcgan],
    ['cdcgan', cdcgan],
    ['vae', vae],
    ['classifier', classifier],
    ['pix2pix', pix2pix],
    ['fcn-mse', fcnMse],
    ['cyclegan', cyclegan],
    ['segmenter', segmenter],
    ['dann', dann],
  ]),
);

/** A reference model by name; an unknown name is a USAGE error listing the valid ones. */
export function getReferenceModel(name: string): ReferenceModel {
  const m = REFERENCE_MODELS.get(name);
  if (!m) throw new GenbenchError('USAGE', `--model: unknown reference model '${name}' (valid: ${[...REFERENCE_MODELS.keys()].join(', ')})`);
  return m;
}

export { train, type TrainOptions, type TrainResult } from './train-loop.js';
export type { Batch, ModelContext, ReferenceModel, Scalars, TrainableModel } from './types.js';
