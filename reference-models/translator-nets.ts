import * as tf from '@tensorflow/tfjs';
import type { ImageShape } from '../src/data/types.js';
import { GenbenchError } from '../src/errors.js';
import { AddCoords } from './custom-layers.js';

/**
 * The small networks of the reference translators (pix2pix, fcn-mse, cyclegan). All take and give NHWC images in
 * [-1, 1]; the generators end in tanh and name their input 'source' and output 'translated' (the ONNX names).
 * Channel counts are tiny (16 and 32) so that a step at 28x28 takes tens of milliseconds on two CPU cores.
 *
 * - U-Net (pix2pix, Isola et al. 2017, scaled down): Conv 16 4/2, LReLU 0.2 -> Conv 32 4/2, LReLU -> Conv 32 3x3,
 *   ReLU (H/4) -> ConvT 16 4/2 on [bottleneck, e2], ReLU -> ConvT C 4/2 on [d1, e1], tanh.
 * - FCN (the MRI->CT synthesis design of Nie et al. 2017, scaled down): four Conv 3x3 at full resolution
 *   (16, 16, 16 with ReLU, then C with tanh); no pooling, no skip.
 * - ResNet generator (CycleGAN, Zhu et al. 2017, scaled down): Conv 16 3x3, ReLU -> Conv 32 4/2, ReLU -> two
 *   residual blocks (Conv 32 3x3, ReLU, Conv 32 3x3, Add) -> ConvT 16 4/2, ReLU -> Conv C 3x3, tanh.
 * - PatchGAN discriminator: Conv 16 4/2, LReLU 0.2 -> Conv 32 4/2, LReLU -> Conv 1 3x3 (one logit per 18x18 patch,
 *   an (H/4)x(W/4) map); conditional (pix2pix) when it also takes the source (concatenated on channels).
 * - Image discriminator (fcn-mse): Conv 16 4/2, LReLU -> Conv 32 4/2, LReLU -> Flatten -> Dense 1.
 * - Segmentation U-Net (segmenter): Conv 16 3x3, ReLU (H) -> three Conv 32 4/2, LReLU (H/2, H/4, H/8) -> Conv 32
 *   3x3, ReLU -> three ConvT 4/2, ReLU (32, 32, 16 channels), each on [up, skip] -> Conv 16 3x3, ReLU -> Conv K 1x1:
 *   logits of K classes (labels + background), no activation; the receptive field (56 px) spans most of a 64x64 slice,
 *   so a pixel's class can depend on where it lies in the brain. The exported copy adds ArgMax (the label map).
 * No normalisation layers: at these sizes they add little, and outputs at evaluation equal outputs in training.
 *
 * @example
 * const g = unet({ height: 28, width: 28, channels: 1 }, { height: 28, width: 28, channels: 1 }, 'g');
 * g.outputs[0].shape; // [null, 28, 28, 1]
 */
const L = tf.layers;
type T = tf.SymbolicTensor;

export const SOURCE_INPUT = 'source';
export const OUTPUT_LAYER = 'translated';

/** Every side divisible by `k` (the generators' down- and upsampling), else an UNSUPPORTED error. */
export function requireDivisible(model: string, shape: ImageShape, k: number): void {
  if (shape.height % k !== 0 || shape.width % k !== 0) {
    throw new GenbenchError('UNSUPPORTED', `--model ${model} needs image sides divisible by ${k}, the task's images are ${shape.height}x${shape.width}`);
  }
}

const conv = (x: T, filters: number, kernelSize: number, strides: number, name: string): T =>
  L.conv2d({ filters, kernelSize, strides, padding: 'same', name }).apply(x) as T;
const deconv = (x: T, filters: number, name: string): T => L.conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', name }).apply(x) as T;
const lrelu = (x: T, name: string): T => L.leakyReLU({ alpha: 0.2, name }).apply(x) as T;
const relu = (x: T, name: string): T => L.reLU({ name }).apply(x) as T;
const cat = (xs: T[], name: string): T => L.concatenate({ axis: -1, name }).apply(xs) as T;
const out = (x: T, name: string): T => L.activation({ activation: 'tanh', name }).apply(x) as T;
const input = (s: ImageShape, name: string): T => tf.input({ shape: [s.height, s.width, s.channels], name });

export function unet(src: ImageShape, dst: ImageShape, p: string): tf.LayersModel {
  const x = input(src, SOURCE_INPUT);
  const e1 = lrelu(conv(x, 16, 4, 2, `${p}_e1`), `${p}_e1_act`);
  const e2 = lrelu(conv(e1, 32, 4, 2, `${p}_e2`), `${p}_e2_act`);
  const b = relu(conv(e2, 32, 3, 1, `${p}_b`), `${p}_b_act`);
  const d1 = relu(deconv(cat([b, e2], `${p}_skip2`), 16, `${p}_d1`), `${p}_d1_act`);
  const d2 = deconv(cat([d1, e1], `${p}_skip1`), dst.channels, `${p}_d2`);
  return tf.model({ inputs: x, outputs: out(d2, OUTPUT_LAYER), name: `${p}_unet` });
}

export function fcn(src: ImageShape, dst: ImageShape, p: string): tf.LayersModel {
  const x = input(src, SOURCE_INPUT);
  let h = x;
  for (let i = 1; i <= 3; i++) h = relu(conv(h, 16, 3, 1, `${p}_conv${i}`), `${p}_relu${i}`);
  return tf.model({ inputs: x, outputs: out(conv(h, dst.channels, 3, 1, `${p}_conv4`), OUTPUT_LAYER), name: `${p}_fcn` });
}

export function resnetGenerator(src: ImageShape, dst: ImageShape, p: string): tf.LayersModel {
  const x = input(src, SOURCE_INPUT);
  let h = relu(conv(x, 16, 3, 1, `${p}_c1`), `${p}_c1_act`);
  h = relu(conv(h, 32, 4, 2, `${p}_down`), `${p}_down_act`);
  for (let i = 1; i <= 2; i++) {
    const r = conv(relu(conv(h, 32, 3, 1, `${p}_res${i}a`), `${p}_res${i}a_act`), 32, 3, 1, `${p}_res${i}b`);
    h = L.add({ name: `${p}_res${i}` }).apply([h, r]) as T;
  }
  h = relu(deconv(h, 16, `${p}_up`), `${p}_up_act`);
  return tf.model({ inputs: x, outputs: out(conv(h, dst.channels, 3, 1, `${p}_c2`), OUTPUT_LAYER), name: `${p}_resnet` });
}

/** PatchGAN: inputs [source, image] when `conditionOn` is given, else [image]. */
export function patchDiscriminator(image: ImageShape, p: string, conditionOn?: ImageShape): tf.LayersModel {
  const y = input(image, 'image');
  const x = conditionOn ? input(conditionOn, SOURCE_INPUT) : null;
  let h = x ? cat([x, y], `${p}_pair`) : y;
  h = lrelu(conv(h, 16, 4, 2, `${p}_conv1`), `${p}_lrelu1`);
  h = lrelu(conv(h, 32, 4, 2, `${p}_conv2`), `${p}_lrelu2`);
  const logits = conv(h, 1, 3, 1, `${p}_patch_logits`);
  return tf.model({ inputs: x ? [x, y] : y, outputs: logits, name: `${p}_patchgan` });
}

export function imageDiscriminator(image: ImageShape, p: string): tf.LayersModel {
  const y = input(image, 'image');
  let h = lrelu(conv(y, 16, 4, 2, `${p}_conv1`), `${p}_lrelu1`);
  h = lrelu(conv(h, 32, 4, 2, `${p}_conv2`), `${p}_lrelu2`);
  h = L.flatten({ name: `${p}_flatten` }).apply(h) as T;
  return tf.model({ inputs: y, outputs: L.dense({ units: 1, name: `${p}_logit` }).apply(h) as T, name: `${p}_image_d` });
}

/** Logits [N, H, W, classes] of a label map from `src` (sides divisible by 8); the input is named 'source'. */
export function segmentationUnet(src: ImageShape, classes: number, p: string): tf.LayersModel {
  const x = input(src, SOURCE_INPUT);
  const xy = new AddCoords({ name: `${p}_coords` }).apply(x) as T;
  const skips = [relu(conv(xy, 16, 3, 1, `${p}_in`), `${p}_in_act`)];
  for (let i = 1; i <= 3; i++) skips.push(lrelu(conv(skips[i - 1]!, 32, 4, 2, `${p}_e${i}`), `${p}_e${i}_act`));
  let h = relu(conv(skips[3]!, 32, 3, 1, `${p}_b`), `${p}_b_act`);
  for (let i = 3; i >= 1; i--) h = relu(deconv(i === 3 ? h : cat([h, skips[i]!], `${p}_skip${i}`), i === 1 ? 16 : 32, `${p}_d${i}`), `${p}_d${i}_act`);
  h = relu(conv(cat([h, skips[0]!], `${p}_skip0`), 16, 3, 1, `${p}_head`), `${p}_head_act`);
  return tf.model({ inputs: x, outputs: conv(h, classes, 1, 1, `${p}_logits`), name: `${p}_seg_unet` });
}
