import { dirname, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { openOnnxSession } from '../backend/onnx.js';
import { GenbenchError } from '../errors.js';
import { nchwToNhwc, type ValueRange } from '../io/image.js';
import type { Progress } from '../progress.js';
import { manifestPathFor } from './manifest.js';
import { outputFloat32 } from './onnx-io.js';
import { imageShapeOf, rangeOf, readTranslatorManifest, type TranslatorManifest } from './translator-manifest.js';
import { verifyChecksums } from './verify.js';

/**
 * A loaded image-to-image translator (ONNX through onnxruntime-node, the sessions generators use): a batch of NHWC
 * float images in the input range goes in, the output batch comes back NHWC in the output range. The manifest's
 * names must exist in the model and its fixed dims agree with the manifest's shapes; every batch's output must have
 * the declared shape, be finite, and lie within the declared range (up to 5% of its width beyond either end, a
 * linear head's overshoot, which is clipped; further out is an INPUT error: the manifest states the wrong range).
 * One mid-grey image runs at load time, so a model that contradicts its manifest fails before any data is read.
 *
 * @example
 * const t = await loadTranslator('t1-bet.onnx');
 * const y = await t.translate(x, 8); // Float32Array of 8 * 64 * 64 * 1 values in [0, 1]
 * t.dispose();
 */
export interface Translator {
  readonly manifest: TranslatorManifest;
  readonly manifestPath: string;
  /** Absolute path of the .onnx file. */
  readonly path: string;
  readonly sha256: string;
  readonly engine: string;
  readonly inputShape: ImageShape;
  readonly outputShape: ImageShape;
  readonly inputRange: ValueRange;
  readonly outputRange: ValueRange;
  /** Translates n NHWC images (row-major, values in inputRange) in batches. */
  translate(x: Float32Array, n: number, opts?: { readonly batchSize?: number; readonly progress?: Progress }): Promise<Float32Array>;
  dispose(): void;
}

interface ImageShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** Share of the range's width an output may overshoot either end by (clipped); beyond it the range is wrong. */
export const RANGE_TOLERANCE = 0.05;
const DEFAULT_BATCH = 16;

type Meta = { name: string; isTensor?: boolean; type?: string; shape?: readonly (number | string)[] };

export async function loadTranslator(path: string): Promise<Translator> {
  const manifestPath = resolve(await manifestPathFor(path));
  const m = await readTranslatorManifest(manifestPath);
  const file = resolve(dirname(manifestPath), m.file);
  const sha256 = await verifyChecksums({ manifest: m, manifestPath, mainFile: file, required: [] });
  const session = await openOnnxSession(file);
  try {
    const fixedBatch = checkSignature(session, m, manifestPath);
    const t = assemble(session, m, manifestPath, file, sha256, fixedBatch);
    const probe = new Float32Array(size(t.inputShape)).fill((t.inputRange[0] + t.inputRange[1]) / 2);
    await t.translate(probe, 1);
    return t;
  } catch (e) {
    void session.release().catch(() => {});
    throw e;
  }
}

function size(s: ImageShape): number {
  return s.height * s.width * s.channels;
}

function assemble(session: ort.InferenceSession, m: TranslatorManifest, manifestPath: string, file: string, sha256: string, fixedBatch: number | undefined): Translator {
  const inputShape = imageShapeOf(m, 'input_shape');
  const outputShape = imageShapeOf(m, 'output_shape');
  const inputRange = rangeOf(m, 'input_range');
  const outputRange = rangeOf(m, 'output_range');
  const inType = ((session.inputMetadata as readonly Meta[]).find((x) => x.name === m.input)?.type ?? 'float32') as string;
  if (inType !== 'float32') throw new GenbenchError('UNSUPPORTED', `${file}: input '${m.input}' is ${inType}; genbench feeds float32 images to translators`);
  const runBatch = async (x: Float32Array, k: number): Promise<Float32Array> => {
    const rows = fixedBatch ?? k;
    const fed = rows === k ? x : padded(x, size(inputShape) * rows);
    const dims = m.layout === 'NCHW' ? [rows, inputShape.channels, inputShape.height, inputShape.width] : [rows, inputShape.height, inputShape.width, inputShape.channels];
    const input = m.layout === 'NCHW' ? nhwcToNchw(fed, rows, inputShape) : fed;
    const out = (await session.run({ [m.input]: new ort.Tensor('float32', input, dims) }, [m.output]))[m.output]!;
    const want = m.layout === 'NCHW' ? [rows, ...m.output_shape] : [rows, ...m.output_shape];
    const got = out.dims.map(Number);
    if (got.join() !== want.join()) {
      throw new GenbenchError('INPUT', `${manifestPath}: field 'output_shape' says [${m.output_shape.join(',')}] (${m.layout}) but ${m.name} outputs [${got.join(',')}] for ${rows} images; fix output_shape or layout`);
    }
    const data = outputFloat32(out, m.output, file).subarray(0, k * size(outputShape));
    const nhwc = m.layout === 'NCHW' ? nchwToNhwc(Float32Array.from(data), k, outputShape.channels, outputShape.height, outputShape.width) : Float32Array.from(data);
    return checkOutput(nhwc, m, manifestPath, file, outputRange);
  };
  let disposed = false;
  return {
    manifest: m,
    manifestPath,
    path: file,
    sha256,
    engine: `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common} (cpu)`,
    inputShape,
    outputShape,
    inputRange,
    outputRange,
    async translate(x, n, opts = {}) {
      if (disposed) throw new Error(`translator ${m.name} was disposed`);
      if (x.length !== n * size(inputShape)) throw new GenbenchError('INPUT', `translator ${m.name}: ${x.length} input values are not ${n} images of ${inputShape.height}x${inputShape.width}x${inputShape.channels}`);
      const batch = fixedBatch ?? opts.batchSize ?? DEFAULT_BATCH;
      const out = new Float32Array(n * size(outputShape));
      opts.progress?.start(n, `translating with ${m.name}`);
      for (let i = 0; i < n; i += batch) {
        const k = Math.min(batch, n - i);
        out.set(await runBatch(x.subarray(i * size(inputShape), (i + k) * size(inputShape)), k), i * size(outputShape));
        opts.progress?.tick(k);
      }
      opts.progress?.stop();
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      void session.release();
    },
  };
}

/** Finite values within the range's tolerance, clipped to the range; else one INPUT line naming the model. */
function checkOutput(y: Float32Array, m: TranslatorManifest, manifestPath: string, file: string, [lo, hi]: ValueRange): Float32Array {
  const slack = (hi - lo) * RANGE_TOLERANCE;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isFinite(v)) throw new GenbenchError('INPUT', `translator ${m.name} (${file}) produced ${v} at output value ${i}; check its weights`);
    if (v < lo - slack || v > hi + slack) {
      throw new GenbenchError('INPUT', `${manifestPath}: field 'output_range' says ${m.output_range} but ${m.name} output ${v} at value ${i}; fix output_range (or the model's last activation)`);
    }
    y[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return y;
}

/** Names present, inputs all fed, fixed dims equal to the manifest's; returns a fixed batch size if the model has one. */
function checkSignature(s: ort.InferenceSession, m: TranslatorManifest, manifestPath: string): number | undefined {
  const fail = (field: string, what: string): never => {
    throw new GenbenchError('INPUT', `${manifestPath}: field '${field}' ${what}`);
  };
  if (!s.inputNames.includes(m.input)) fail('input', `is '${m.input}' but the model's inputs are: ${s.inputNames.join(', ')}`);
  if (!s.outputNames.includes(m.output)) fail('output', `is '${m.output}' but the model's outputs are: ${s.outputNames.join(', ')}`);
  const extra = s.inputNames.filter((n) => n !== m.input);
  if (extra.length > 0) fail('input', `names one input but the model also takes ${extra.join(', ')}; a translator takes one image batch`);
  const check = (meta: Meta | undefined, field: 'input_shape' | 'output_shape') => {
    const dims = meta?.shape;
    if (dims === undefined) return;
    if (dims.length !== 4) fail(field, `is [${m[field].join(',')}] but the model's '${meta!.name}' has rank ${dims.length} ([${dims.join(',')}]); a translator maps [N,C,H,W] or [N,H,W,C] batches`);
    dims.slice(1).forEach((d, i) => {
      if (typeof d === 'number' && d > 0 && d !== m[field][i]) fail(field, `is [${m[field].join(',')}] (${m.layout}) but the model declares '${meta!.name}' as [${dims.join(',')}]`);
    });
  };
  const inMeta = (s.inputMetadata as readonly Meta[]).find((x) => x.name === m.input);
  check(inMeta, 'input_shape');
  check((s.outputMetadata as readonly Meta[]).find((x) => x.name === m.output), 'output_shape');
  const batch = inMeta?.shape?.[0];
  return typeof batch === 'number' && batch > 0 ? batch : undefined;
}

function padded(x: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(x);
  return out;
}

function nhwcToNchw(src: Float32Array, n: number, s: ImageShape): Float32Array {
  const c = s.channels;
  if (c === 1) return src;
  const plane = s.height * s.width;
  const out = new Float32Array(src.length);
  for (let i = 0; i < n; i++) {
    const base = i * c * plane;
    for (let p = 0; p < plane; p++) for (let k = 0; k < c; k++) out[base + k * plane + p] = src[base + p * c + k]!;
  }
  return out;
}
