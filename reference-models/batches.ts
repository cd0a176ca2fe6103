import * as tf from '@tensorflow/tfjs';
import type { ImageBatchU8, ValueRange } from '../src/io/image.js';
import { Rng } from '../src/rng.js';
import type { Batch } from './types.js';

/**
 * Training data for the loop: uint8 images converted once to float32 in the model's input range, batched by index.
 * Epoch e visits the images in the order of a Fisher-Yates shuffle drawn from Rng(seed).fork('epoch-e'); the last
 * partial batch is dropped so every step sees `batch` images (BatchNorm statistics stay comparable).
 *
 * A translator's data carries `targets`. Paired (`pairing` 'aligned'): target i goes with image i. Unpaired
 * ('independent'): the targets are another domain, of their own size, visited in a shuffle of their own
 * (Rng(seed).fork('epoch-e-targets')); the k-th image of an epoch goes with target order[k mod n_targets].
 *
 * @example
 * const data = new BatchSource({ images, labels }, [-1, 1]);
 * const order = data.epochOrder(0, 0);
 * const b = data.batch(order, 0, 64); // { images: [64, 28, 28, 1], labels, targets: null, size: 64 }
 */
export interface LabelledImages {
  readonly images: ImageBatchU8;
  readonly labels?: Int32Array;
  /** A translator's targets (the pairs' targets, or the target domain). */
  readonly targets?: ImageBatchU8;
  /** How targets go with images: 'aligned' (pairs, the default) or 'independent' (two domains). */
  readonly pairing?: 'aligned' | 'independent';
}

/** An epoch's visiting order: the images', and the targets' when they are visited on their own. */
export interface EpochOrder {
  readonly images: Int32Array;
  readonly targets: Int32Array | null;
}

export class BatchSource {
  readonly n: number;
  private readonly pixels: Float32Array;
  private readonly targetPixels: Float32Array | null;
  private readonly size: number;
  constructor(
    private readonly data: LabelledImages,
    range: ValueRange,
  ) {
    const { images } = data;
    this.n = images.n;
    this.size = images.height * images.width * images.channels;
    const [lo, hi] = range;
    const scale = (hi - lo) / 255;
    this.pixels = Float32Array.from(images.data, (v) => v * scale + lo);
    this.targetPixels = data.targets ? Float32Array.from(data.targets.data, (v) => v * scale + lo) : null;
  }

  /** The visiting order of epoch `epoch` (a permutation of 0..n-1, and one of the targets when unpaired). */
  epochOrder(seed: number, epoch: number): EpochOrder {
    const perm = (n: number, name: string): Int32Array => {
      const order = Int32Array.from({ length: n }, (_, i) => i);
      new Rng(seed).fork(name).shuffle(order);
      return order;
    };
    const t = this.data.targets;
    return { images: perm(this.n, `epoch-${epoch}`), targets: t && this.data.pairing === 'independent' ? perm(t.n, `epoch-${epoch}-targets`) : null };
  }

  /** Batch number `index` of `order` (`batch` images); the caller disposes it with disposeBatch. */
  batch(order: EpochOrder, index: number, batch: number): Batch {
    const ids = order.images.subarray(index * batch, (index + 1) * batch);
    const t = order.targets;
    return this.gather(ids, t ? Int32Array.from(ids, (_, k) => t[(index * batch + k) % t.length]!) : null);
  }

  /** Consecutive images [from, to) (held-out evaluation, previews); unpaired targets [from, to) modulo their count. */
  range(from: number, to: number): Batch {
    const ids = Int32Array.from({ length: to - from }, (_, i) => from + i);
    const t = this.data.targets;
    return this.gather(ids, t && this.data.pairing === 'independent' ? ids.map((i) => i % t.n) : null);
  }

  private gather(ids: Int32Array, targetIds: Int32Array | null): Batch {
    const { height, width, channels } = this.data.images;
    const out = new Float32Array(ids.length * this.size);
    ids.forEach((id, k) => out.set(this.pixels.subarray(id * this.size, (id + 1) * this.size), k * this.size));
    const labels = this.data.labels ? tf.tensor1d(Int32Array.from(ids, (id) => this.data.labels![id]!), 'int32') : null;
    return { images: tf.tensor4d(out, [ids.length, height, width, channels]), labels, targets: this.gatherTargets(targetIds ?? ids), size: ids.length };
  }

  private gatherTargets(ids: Int32Array): tf.Tensor4D | null {
    const t = this.data.targets;
    if (!t || !this.targetPixels) return null;
    const size = t.height * t.width * t.channels;
    const out = new Float32Array(ids.length * size);
    ids.forEach((id, k) => out.set(this.targetPixels!.subarray(id * size, (id + 1) * size), k * size));
    return tf.tensor4d(out, [ids.length, t.height, t.width, t.channels]);
  }
}

export function disposeBatch(b: Batch): void {
  b.images.dispose();
  b.labels?.dispose();
  b.targets?.dispose();
}
