import * as tf from '@tensorflow/tfjs';
import type { ImageBatchU8, ValueRange } from '../src/io/image.js';
import { Rng } from '../src/rng.js';
import type { Batch } from './types.js';

/**
 * Training data for the loop: uint8 images converted once to float32 in the model's input range, batched by index.
 * Epoch e visits the images in the order of a Fisher-Yates shuffle drawn from Rng(seed).fork('epoch-e'); the last
 * partial batch is dropped so every step sees `batch` images (BatchNorm statistics stay comparable).
 *
 * @example
 * const data = new BatchSource({ images, labels }, [-1, 1]);
 * const order = data.epochOrder(0, 0);
 * const b = data.batch(order, 0, 64); // { images: [64, 28, 28, 1], labels, size: 64 }
 */
export interface LabelledImages {
  readonly images: ImageBatchU8;
  readonly labels?: Int32Array;
}

export class BatchSource {
  readonly n: number;
  private readonly pixels: Float32Array;
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
  }

  /** The visiting order of epoch `epoch` (a permutation of 0..n-1). */
  epochOrder(seed: number, epoch: number): Int32Array {
    const order = Int32Array.from({ length: this.n }, (_, i) => i);
    new Rng(seed).fork(`epoch-${epoch}`).shuffle(order);
    return order;
  }

  /** Batch number `index` of `order` (`batch` images); the caller disposes it with disposeBatch. */
  batch(order: Int32Array, index: number, batch: number): Batch {
    const ids = order.subarray(index * batch, (index + 1) * batch);
    return this.gather(ids);
  }

  /** Consecutive images [from, to) (held-out evaluation). */
  range(from: number, to: number): Batch {
    return this.gather(Int32Array.from({ length: to - from }, (_, i) => from + i));
  }

  private gather(ids: Int32Array): Batch {
    const { height, width, channels } = this.data.images;
    const out = new Float32Array(ids.length * this.size);
    ids.forEach((id, k) => out.set(this.pixels.subarray(id * this.size, (id + 1) * this.size), k * this.size));
    const labels = this.data.labels ? tf.tensor1d(Int32Array.from(ids, (id) => this.data.labels![id]!), 'int32') : null;
    return { images: tf.tensor4d(out, [ids.length, height, width, channels]), labels, size: ids.length };
  }
}

export function disposeBatch(b: Batch): void {
  b.images.dispose();
  b.labels?.dispose();
}
