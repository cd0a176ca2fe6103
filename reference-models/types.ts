import type * as tf from '@tensorflow/tfjs';
import type { ImageShape } from '../src/data/types.js';
import type { ValueRange } from '../src/io/image.js';
import type { Rng } from '../src/rng.js';
import type { Adam } from './adam.js';
import type { OnnxExport } from './onnx-export.js';

/**
 * What a reference model is to the shared training loop: a descriptor that builds its networks
 * and says what one step does. Batching, shuffling, logging, checkpoints, sample grids, resume and timing live in
 * train-loop.ts, once.
 *
 * @example
 * const m = getReferenceModel('dcgan');
 * const net = m.build({ shape: { height: 28, width: 28, channels: 1 }, classes: 0, rng: new Rng(0) });
 * net.step(batch, new Rng(1)); // { d_loss: 1.38, g_loss: 0.71 }
 */
export interface ReferenceModel {
  readonly name: string;
  /** One line for `genbench train --help` and manifests. */
  readonly description: string;
  /**
   * 'generator': the checkpoint is a generator loadGenerator reads; 'classifier': a feature network; 'translator': an
   * image-to-image network, exported to ONNX with a `kind: translator` manifest (loadTranslator reads it).
   */
  readonly role: 'generator' | 'classifier' | 'translator';
  /**
   * Translators: the data they train on. 'paired': target i is source i's ground truth (batches keep the pairs);
   * 'unpaired': two domains, batches of targets drawn in an order of their own (a paired task is read as two domains).
   */
  readonly pairing?: 'paired' | 'unpaired';
  /**
   * Translators: 'labels' when the model trains on label-map targets only (a segmentation task, pixel value = label,
   * 0 background); the loop's `classes` is then the task's labels + 1 (background included).
   */
  readonly targets?: 'labels';
  /** Whether training needs class labels (conditional GANs, classifiers). */
  readonly needsLabels: boolean;
  /** Range the uint8 pixels are mapped to before they reach the networks. */
  readonly inputRange: ValueRange;
  /** Default batch size and number of epochs. */
  readonly defaults: { readonly batch: number; readonly epochs: number };
  /** Builds the networks, seeded from `ctx.rng`. */
  build(ctx: ModelContext): TrainableModel;
}

export interface ModelContext {
  /** Shape of every training image (a translator's sources). */
  readonly shape: ImageShape;
  /** Shape of a translator's targets. */
  readonly targetShape?: ImageShape;
  /** Number of classes of the dataset's labels (0 when unlabelled). */
  readonly classes: number;
  /** The stream every initial weight is drawn from. */
  readonly rng: Rng;
  /** `dann`: train the domain adversary (false: the source-only baseline, `--no-adversarial`). Default true. */
  readonly adversarial?: boolean;
}

/** One batch on the active backend; the loop creates and disposes it. */
export interface Batch {
  /** NHWC images in the model's inputRange. */
  readonly images: tf.Tensor4D;
  /** int32 class labels, one per image, or null for unlabelled data. */
  readonly labels: tf.Tensor1D | null;
  /** A translator's targets (NHWC, model range): the pairs' targets, or a batch of the target domain; else null. */
  readonly targets: tf.Tensor4D | null;
  readonly size: number;
}

/** Plain numbers keyed by name: losses of a step, or held-out metrics. */
export type Scalars = Record<string, number>;

/** The built networks of one model, and what a step and an evaluation do with them. */
export interface TrainableModel {
  /** Every network by role; all their weights (BatchNorm statistics included) go into the training state. */
  readonly nets: Readonly<Record<string, tf.LayersModel>>;
  /** The optimizers by name; their moments and step counts go into the training state. */
  readonly optimizers: Readonly<Record<string, Adam>>;
  /** The network written as the checkpoint (the generator, the VAE decoder, the classifier). */
  readonly exported: tf.LayersModel;
  /** Manifest fields of the exported network (latent_dim, input/output names, output_range, conditional). */
  readonly manifest: Readonly<Record<string, unknown>>;
  /** Translators: the ONNX copies each checkpoint also holds (the exported network's output, a reverse network). */
  readonly onnx?: OnnxExport;
  /** One optimisation step on `batch`; `rng` is this step's own stream (latents, noise). Returns its losses. */
  step(batch: Batch, rng: Rng): Scalars;
  /**
   * Images for the per-epoch sample grid from fixed inputs drawn from `rng` (NHWC, in the output range); translators
   * get `fixed`, the first images of the held-out (else training) data, and show input | output | target rows.
   */
  preview?(rng: Rng, fixed: Batch | null): { images: tf.Tensor4D; columns: number };
  /** Metrics on held-out batches (e.g. ELBO, accuracy), averaged over images by the loop. */
  evaluate?(batch: Batch, rng: Rng): Scalars;
}
