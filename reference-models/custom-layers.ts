import * as tf from '@tensorflow/tfjs';

/**
 * The two weightless layers of genbench's own that the segmenter uses, each registered for serialisation and
 * converted to ONNX by src/convert/layers-core.ts.
 *
 * `ArgMax`: a weightless layer that gives, per position, the index of the largest value along the last axis, as a
 * float32 tensor with that axis kept at size 1 (NHWC class scores [N, H, W, K] -> a label map [N, H, W, 1] whose value
 * is the winning class). Ties go to the lowest index, as in ONNX ArgMax (select_last_index 0), which the converter
 * emits for it (src/convert/layers-core.ts), followed by a Cast to float. It has no gradient: it sits on top of a
 * trained network, in the exported copy only (the segmenter's label output).
 *
 * @example
 * const labels = new ArgMax({ name: 'labels' }).apply(logits); // [null, 64, 64, 1]
 */
export class ArgMax extends tf.layers.Layer {
  static readonly className = 'ArgMax';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...s.slice(0, -1), 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => tf.expandDims(tf.cast(tf.argMax(x, -1), 'float32'), -1));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), axis: -1 };
  }
}

tf.serialization.registerClass(ArgMax);

/**
 * `AddCoords` (CoordConv, Liu et al. 2018): a weightless layer that appends two channels to an NHWC image, the
 * pixel's row and column scaled to [-1, 1] (row 0 and column 0 at -1), so that the convolutions after it can tell
 * where in the image a pixel lies. The converter emits it as x * 0 + the constant grids (broadcast over the batch),
 * concatenated to x on the channels.
 *
 * @example
 * new AddCoords({ name: 'coords' }).apply(x); // [null, 64, 64, 1] -> [null, 64, 64, 3]
 */
export class AddCoords extends tf.layers.Layer {
  static readonly className = 'AddCoords';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...s.slice(0, -1), (s[s.length - 1] ?? 0) + 2];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => {
      const [n, h, w] = x.shape as [number, number, number, number];
      const grid = tf.tensor4d(coordGrid(h, w), [1, h, w, 2]);
      return tf.concat([x, tf.tile(grid, [n, 1, 1, 1])], -1);
    });
  }
}

/** The [H, W, 2] grids of AddCoords (row, column in [-1, 1]), row-major. */
export function coordGrid(h: number, w: number): Float32Array {
  const out = new Float32Array(h * w * 2);
  const at = (i: number, size: number): number => (size === 1 ? 0 : (2 * i) / (size - 1) - 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      out[2 * (y * w + x)] = at(y, h);
      out[2 * (y * w + x) + 1] = at(x, w);
    }
  }
  return out;
}

tf.serialization.registerClass(AddCoords);
