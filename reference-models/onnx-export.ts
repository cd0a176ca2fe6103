import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { sha256File } from '../src/assets/index.js';
import { convertLayersModel } from '../src/convert/convert.js';
import { readLayersModelFiles } from '../src/convert/weights.js';
import { writeFileAtomic } from '../src/io/atomic.js';

/**
 * ONNX copies of a translator checkpoint's networks, written into the checkpoint folder before it is renamed into
 * place: the TF.js layers model (`model.json` + `weights.bin`, already saved) converted by genbench's converter
 * (src/convert: NHWC in, NHWC out, BatchNorm folded) to `translator.onnx`, and for two-way models (CycleGAN) the
 * reverse network saved to `reverse/` and converted to `reverse.onnx` with its own `reverse.genbench.json`. The
 * manifests' `file` and `sha256` name the ONNX files, so `genbench evaluate --translator <run folder>` (and
 * `--reverse-translator <run folder>/reverse.genbench.json`) read them as they are.
 *
 * @example
 * const r = await writeOnnxExports(tmp, { output: 'translated' }, manifest);
 * r.manifest.file; // 'translator.onnx'
 */
export interface OnnxExport {
  /** The output layer of the exported network. */
  readonly output: string;
  /** The reverse direction of a two-way model: its network and manifest fields (file and sha256 filled in here). */
  readonly reverse?: { readonly model: tf.LayersModel; readonly output: string; readonly manifest: Readonly<Record<string, unknown>> };
}

export const ONNX_FILE = 'translator.onnx';
export const REVERSE_FILE = 'reverse.onnx';
export const REVERSE_MANIFEST = 'reverse.genbench.json';

/** Converts the saved model in `dir` (and saves and converts the reverse); returns the manifests to write. */
export async function writeOnnxExports(dir: string, spec: OnnxExport, manifest: Readonly<Record<string, unknown>>, save: (model: tf.LayersModel, dir: string) => Promise<void>): Promise<{ manifest: Record<string, unknown>; reverse: Record<string, unknown> | null }> {
  const main = await convertFolder(dir, spec.output, join(dir, ONNX_FILE));
  const files = { 'model.json': await sha256File(join(dir, 'model.json')), 'weights.bin': await sha256File(join(dir, 'weights.bin')) };
  const out = { ...manifest, file: ONNX_FILE, sha256: main, files };
  if (!spec.reverse) return { manifest: out, reverse: null };
  const rdir = join(dir, 'reverse');
  await mkdir(rdir);
  await save(spec.reverse.model, rdir);
  const sha = await convertFolder(rdir, spec.reverse.output, join(dir, REVERSE_FILE));
  const common: Record<string, unknown> = { ...out };
  delete common['files']; // the reverse's files are reverse.onnx alone
  return { manifest: out, reverse: { ...common, name: `${String(manifest['name'])}-reverse`, ...spec.reverse.manifest, file: REVERSE_FILE, sha256: sha } };
}

async function convertFolder(dir: string, output: string, onnxPath: string): Promise<string> {
  const f = await readLayersModelFiles(join(dir, 'model.json'));
  await writeFileAtomic(onnxPath, convertLayersModel(f.modelJson, f.weights, { outputs: [output] }));
  return sha256File(onnxPath);
}
