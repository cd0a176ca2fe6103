import { dirname, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { openOnnxSession } from '../backend/onnx.js';
import { GenbenchError } from '../errors.js';
import { nchwToNhwc, type ValueRange } from '../io/image.js';
import type { Progress } from '../progress.js';
import { manifestPathFor } from './manifest.js';
import { generatorEngine, verifyFolder } from './load.js';
import { onnxEngine, type TranslatorEngine } from './translator-onnx.js';
import { openTfjsTranslator } from './translator-tfjs.js';
import { imageShapeOf, rangeOf, readTranslatorManifest, type TranslatorManifest } from './translator-manifest.js';
import { verifyChecksums } from './verify.js';

/**
 * A loaded image-to-image translator (ONNX through onnxruntime-node, the sessions generators use; a TF.js layers
 * model folder, `format: 'tfjs-layers'` with `file: model.json`, converted to ONNX once and cached, or on tfjs when
 * it cannot be converted, translator-tfjs.ts): a batch of NHWC
 * float images in the input range goes in, the output batch comes back NHWC in the output range. The manifest's
 * names must exist in the model and its fixed dims agree with the manifest's shapes; every batch's output must have
 * the declared shape, be finite, and lie within the declared range (up to 5% of its width beyond either end, a
 * linear head's overshoot, which is clipped; further out is an INPUT error: the manifest states the wrong range).
 * One mid-grey image runs at load time, so a model that contradicts its manifest fails before any data is read.
 * A TF.js folder has its shards checked for presence and size, and `files` must give each one's sha256 (as for
 * TF.js generators, load.ts verifyFolder).
 *
 * @example
 * const t = await loadTranslator('t1-bet.onnx');
 * const y = await t.translate(x, 8); // Float32Array of 8 * 64 * 64 * 1 values in [0, 1]
 * t.dispose();
 * const p = await loadTranslator('runs/p2p/ckpt-000200/tfjs.genbench.json'); // format 'tfjs-layers', file 'model.json'
 * p.engine; // 'onnxruntime-node 1.20.1 (cpu, converted from TF.js)'
 */
export interface Translator {
  readonly manifest: TranslatorManifest;
  readonly manifestPath: string;
  /** Absolute path of the model file (the .onnx, or model.json of a TF.js folder). */
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

/** How loadTranslator opens a TF.js layers translator (.onnx translators ignore these). */
export interface TranslatorLoadOptions {
  /** 'onnx' (default, or GENBENCH_ENGINE) converts to ONNX; 'tfjs' runs the layers model on tfjs. */
  readonly engine?: 'onnx' | 'tfjs';
  /** Folder of the converted-model cache (default GENBENCH_HOME/onnx). */
  readonly cacheDir?: string;
  /** Receives the reason when a TF.js model runs on tfjs because it could not be converted. */
  readonly onNote?: (message: string) => void;
}

export async function loadTranslator(path: string, opts: TranslatorLoadOptions = {}): Promise<Translator> {
  const manifestPath = resolve(await manifestPathFor(path));
  const m = await readTranslatorManifest(manifestPath);
  const file = resolve(dirname(manifestPath), m.file);
  const sha256 = m.format === 'onnx' ? await verifyChecksums({ manifest: m, manifestPath, mainFile: file, required: [] }) : await verifyFolder(m, manifestPath, file, false);
  const engine = await openEngine(m, manifestPath, file, opts);
  try {
    const t = assemble(engine, m, manifestPath, file, sha256);
    const probe = new Float32Array(size(t.inputShape)).fill((t.inputRange[0] + t.inputRange[1]) / 2);
    await t.translate(probe, 1);
    return t;
  } catch (e) {
    engine.release();
    throw e;
  }
}

/** An .onnx file on onnxruntime; a TF.js layers model converted (or on tfjs, translator-tfjs.ts). */
async function openEngine(m: TranslatorManifest, manifestPath: string, file: string, opts: TranslatorLoadOptions): Promise<TranslatorEngine> {
  if (m.format === 'tfjs-layers') {
    const extra = { ...(opts.cacheDir === undefined ? {} : { cacheDir: opts.cacheDir }), ...(opts.onNote === undefined ? {} : { onNote: opts.onNote }) };
    return openTfjsTranslator({ manifest: m, manifestPath, modelJson: file, engine: generatorEngine(opts), ...extra });
  }
  const session = await openOnnxSession(file);
  try {
    return onnxEngine({ session, manifest: m, manifestPath, file, name: `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common} (cpu)` });
  } catch (e) {
    void session.release().catch(() => {});
    throw e;
  }
}

function size(s: ImageShape): number {
  return s.height * s.width * s.channels;
}

function assemble(engine: TranslatorEngine, m: TranslatorManifest, manifestPath: string, file: string, sha256: string): Translator {
  const inputShape = imageShapeOf(m, 'input_shape');
  const outputShape = imageShapeOf(m, 'output_shape');
  const inputRange = rangeOf(m, 'input_range');
  const outputRange = rangeOf(m, 'output_range');
  const fixedBatch = engine.fixedBatch;
  const runBatch = async (x: Float32Array, k: number): Promise<Float32Array> => {
    const rows = fixedBatch ?? k;
    const fed = rows === k ? x : padded(x, size(inputShape) * rows);
    const dims = m.layout === 'NCHW' ? [rows, inputShape.channels, inputShape.height, inputShape.width] : [rows, inputShape.height, inputShape.width, inputShape.channels];
    const input = m.layout === 'NCHW' ? nhwcToNchw(fed, rows, inputShape) : fed;
    const out = await engine.run(input, dims);
    const want = [rows, ...m.output_shape];
    if (out.dims.join() !== want.join()) {
      throw new GenbenchError('INPUT', `${manifestPath}: field 'output_shape' says [${m.output_shape.join(',')}] (${m.layout}) but ${m.name} outputs [${out.dims.join(',')}] for ${rows} images; fix output_shape or layout`);
    }
    const data = out.data.subarray(0, k * size(outputShape));
    const nhwc = m.layout === 'NCHW' ? nchwToNhwc(data, k, outputShape.channels, outputShape.height, outputShape.width) : data; // the engine's own copy
    return checkOutput(nhwc, m, manifestPath, file, outputRange);
  };
  let disposed = false;
  return {
    manifest: m,
    manifestPath,
    path: file,
    sha256,
    engine: engine.name,
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
      engine.release();
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
