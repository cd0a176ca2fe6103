import { GenbenchError } from '../errors.js';
import { nchwToNhwc, type ImageBatchF32 } from '../io/image.js';
import { checkArrayValues } from '../io/limits.js';
import { Rng } from '../rng.js';
import { manifestImageShape, manifestRange, type GeneratorManifest } from './manifest.js';
import { DEFAULT_BATCH_SIZE, type ForwardFn, type GenerateOptions, type Generator, type SampleOptions } from './types.js';

/**
 * The format-independent half of every Generator: latents from the seed, labels, batching, layout conversion and
 * the output checks (shape as the manifest says, finite values). Loaders supply one forward pass.
 */
export interface GeneratorParts {
  readonly manifest: GeneratorManifest;
  /** The manifest file, named in errors. */
  readonly manifestPath: string;
  readonly path: string;
  readonly sha256: string;
  readonly engine: string;
  readonly forward: ForwardFn;
  /** Batch size the model requires (a fixed batch axis), if any: batches are padded to it. */
  readonly fixedBatch?: number;
  readonly release: () => void;
}

/**
 * Builds a Generator from its parts and runs one latent through it, so that a model whose output contradicts
 * its manifest (shape, NaN/Inf) fails at load time with an INPUT error (the caller then releases the model).
 *
 * @example
 * const g = await assembleGenerator({ manifest, manifestPath, path, sha256, engine, forward, release });
 */
export async function assembleGenerator(parts: GeneratorParts): Promise<Generator> {
  const m = parts.manifest;
  const imageShape = manifestImageShape(m);
  const classes = m.conditional?.classes;
  const range = manifestRange(m);
  const imageSize = imageShape.height * imageShape.width * imageShape.channels;
  let disposed = false;

  const runBatch = async (z: Float32Array, n: number, labels: Int32Array | undefined): Promise<Float32Array> => {
    const fixed = parts.fixedBatch;
    const rows = fixed !== undefined && fixed !== n ? fixed : n;
    const zIn = rows === n ? z : padRows(z, n, rows);
    const lIn = labels === undefined || rows === n ? labels : padLabels(labels, rows);
    const out = await parts.forward(zIn, rows, lIn);
    const layout = outputLayout(out.shape, rows, m, imageShape, parts.manifestPath);
    const data = rows === n ? out.data : out.data.subarray(0, n * imageSize);
    checkFinite(data, m.name, parts.path);
    if (layout === 'NHWC') return data;
    return nchwToNhwc(data, n, imageShape.channels, imageShape.height, imageShape.width);
  };

  const generate = async (z: Float32Array, labels?: Int32Array, opts: GenerateOptions = {}): Promise<ImageBatchF32> => {
    if (disposed) throw new Error(`generator ${m.name} was disposed`);
    if (z.length % m.latent_dim !== 0) {
      throw new GenbenchError('INPUT', `latents: length ${z.length} is not a multiple of latent_dim ${m.latent_dim}`);
    }
    const n = z.length / m.latent_dim;
    checkArrayValues(n * imageSize, `${n} images of ${imageShape.height}x${imageShape.width}x${imageShape.channels}`);
    const lab = checkLabels(labels, n, classes, m.name);
    const batch = parts.fixedBatch ?? opts.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batch) || batch < 1) throw new GenbenchError('USAGE', `batch size must be a positive integer, got ${batch}`);
    const data = new Float32Array(n * imageSize);
    opts.progress?.start(n, `sampling ${m.name}`);
    for (let i = 0; i < n; i += batch) {
      const k = Math.min(batch, n - i);
      const zb = z.subarray(i * m.latent_dim, (i + k) * m.latent_dim);
      data.set(await runBatch(zb, k, lab?.subarray(i, i + k)), i * imageSize);
      opts.progress?.tick(k);
    }
    opts.progress?.stop();
    return { data, n, ...imageShape, range };
  };

  const sample = async (opts: SampleOptions): Promise<ImageBatchF32> => {
    if (!Number.isInteger(opts.n) || opts.n < 1) throw new GenbenchError('USAGE', `n must be a positive integer, got ${opts.n}`);
    checkArrayValues(opts.n * m.latent_dim, `n ${opts.n}: the latents [${opts.n}, ${m.latent_dim}]`);
    checkArrayValues(opts.n * imageSize, `n ${opts.n}: the images [${opts.n}, ${imageShape.height}, ${imageShape.width}, ${imageShape.channels}]`);
    const z = new Rng(opts.seed).fillNormal(new Float32Array(opts.n * m.latent_dim));
    return generate(z, opts.labels, opts);
  };

  const g: Generator = {
    manifest: m,
    path: parts.path,
    sha256: parts.sha256,
    engine: parts.engine,
    latentDim: m.latent_dim,
    imageShape,
    ...(classes === undefined ? {} : { classes }),
    range,
    sample,
    generate,
    dispose() {
      if (disposed) return;
      disposed = true;
      parts.release();
    },
  };
  // The caller releases the model if this probe throws.
  await generate(new Rng(0).fillNormal(new Float32Array(m.latent_dim)));
  return g;
}

/** Labels for a batch of n: given ones checked, or i % classes for a conditional model. */
function checkLabels(labels: Int32Array | undefined, n: number, classes: number | undefined, name: string): Int32Array | undefined {
  if (classes === undefined) {
    if (labels !== undefined) throw new GenbenchError('USAGE', `${name} is unconditional: do not pass labels (--labels/--class)`);
    return undefined;
  }
  if (labels === undefined) return Int32Array.from({ length: n }, (_, i) => i % classes);
  if (labels.length !== n) throw new GenbenchError('USAGE', `labels: got ${labels.length} for ${n} images (give one label per image)`);
  for (const l of labels) {
    if (l < 0 || l >= classes) throw new GenbenchError('USAGE', `labels: ${l} is out of range for ${name} (classes 0..${classes - 1})`);
  }
  return labels;
}

/**
 * The layout of a batch of output: the manifest's when the shape is [n, ...image_shape]; else the other layout of
 * the same image (a PyTorch NCHW export declared NHWC, or the reverse), or [n, H, W] for a gray image; anything else
 * is an INPUT error naming the expected and the actual shape.
 */
function outputLayout(shape: readonly number[], n: number, m: GeneratorManifest, img: { height: number; width: number; channels: number }, manifestPath: string): 'NCHW' | 'NHWC' {
  const is = (want: readonly number[]) => shape.length === want.length && shape.every((d, i) => d === want[i]);
  const { height: h, width: w, channels: c } = img;
  if (is([n, ...m.image_shape])) return m.output_layout;
  if (is([n, c, h, w])) return 'NCHW';
  if (is([n, h, w, c]) || (c === 1 && is([n, h, w]))) return 'NHWC';
  throw new GenbenchError(
    'INPUT',
    `${manifestPath}: field 'image_shape' says [${m.image_shape.join(',')}] (${m.output_layout}) but model ${m.name} ` +
    `outputs [${shape.join(',')}] for ${n} latents; expected [${[n, c, h, w].join(',')}] (NCHW) or [${[n, h, w, c].join(',')}] (NHWC); fix image_shape or output_layout`,
  );
}

function checkFinite(data: Float32Array, name: string, path: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new GenbenchError('INPUT', `model ${name} (${path}) produced ${data[i]} at output value ${i}; check its weights`);
    }
  }
}

function padRows(z: Float32Array, n: number, rows: number): Float32Array {
  const out = new Float32Array((z.length / n) * rows);
  out.set(z);
  return out;
}

function padLabels(labels: Int32Array, rows: number): Int32Array {
  const out = new Int32Array(rows);
  out.set(labels);
  return out;
}
