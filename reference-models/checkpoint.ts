import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { sha256File } from '../src/assets/index.js';
import { GenbenchError } from '../src/errors.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { parseJsonText } from '../src/io/json-file.js';
import { REVERSE_MANIFEST, writeOnnxExports, type OnnxExport } from './onnx-export.js';

/**
 * Checkpoints of `genbench train`, crash-safe by construction. Each checkpoint is a folder `ckpt-<step>` written
 * whole under a temporary name and renamed into place; `genbench.json` at the top of the run folder is then
 * replaced atomically to point at it (its `file` is `ckpt-<step>/model.json`, a translator's
 * `ckpt-<step>/translator.onnx`), and older folders are removed. At
 * every instant the top manifest names a complete folder, so Ctrl-C or a crash keeps the last checkpoint.
 *
 * A checkpoint folder holds the exported network as a TF.js layers model (`model.json` + `weights.bin`, written by
 * folderSaveHandler), its own `genbench.json` (so the folder loads on its own too), the training state
 * (`state.json` + `state.bin`: every network's weights, the optimizers' moments, step counters) and
 * `loss-curve.json`.
 *
 * @example
 * const dir = await writeCheckpoint({ out: 'runs/dcgan', step: 500, model: g, manifest, extra: { 'state.json': s } });
 * // runs/dcgan/genbench.json now points at runs/dcgan/ckpt-000500/model.json
 */
export const TOP_MANIFEST = 'genbench.json';
const CKPT = /^ckpt-\d+(-[0-9a-f]+)?$/;

/** An IOHandler that writes `model.json` and one `weights.bin` into `dir` (which must exist). */
export function folderSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFileAtomic(join(dir, 'model.json'), JSON.stringify(json));
      await writeFileAtomic(join(dir, 'weights.bin'), new Uint8Array(weights));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

export interface CheckpointRequest {
  /** The run folder. */
  readonly out: string;
  readonly step: number;
  /** The network to export. */
  readonly model: tf.LayersModel;
  /** Manifest fields; `file`, `sha256` and `files` are filled in here. */
  readonly manifest: Readonly<Record<string, unknown>>;
  /** Checks the finished manifest (throws on a bad one) before anything is renamed into place. */
  readonly validate?: (manifest: Record<string, unknown>) => void;
  /** Other files of the checkpoint folder (training state, loss curve), by name. */
  readonly extra: Readonly<Record<string, Uint8Array | string>>;
  /** Extra manifests written beside genbench.json with their `file` adjusted the same way (e.g. features.json). */
  readonly sideManifests?: Readonly<Record<string, Record<string, unknown>>>;
  /** Translators: also write ONNX copies (onnx-export.ts); the manifest then names `translator.onnx`. */
  readonly onnx?: OnnxExport;
}

/** Writes one checkpoint as described above; returns the checkpoint folder. */
export async function writeCheckpoint(req: CheckpointRequest): Promise<string> {
  await mkdir(req.out, { recursive: true });
  const tmp = join(req.out, `.ckpt-tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    await req.model.save(folderSaveHandler(tmp));
    for (const [name, data] of Object.entries(req.extra)) await writeFileAtomic(join(tmp, name), data);
    const { manifest, sides } = await finalManifests(req, tmp);
    await writeFileAtomic(join(tmp, TOP_MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
    for (const [name, m] of Object.entries(sides)) await writeFileAtomic(join(tmp, name), JSON.stringify(m, null, 2) + '\n');
    const name = await freeName(req.out, `ckpt-${String(req.step).padStart(6, '0')}`);
    await rename(tmp, join(req.out, name));
    await writeFileAtomic(join(req.out, TOP_MANIFEST), JSON.stringify({ ...manifest, file: `${name}/${String(manifest['file'])}` }, null, 2) + '\n');
    for (const [side, m] of Object.entries(sides)) await writeFileAtomic(join(req.out, side), JSON.stringify({ ...m, file: `${name}/${String(m['file'])}` }, null, 2) + '\n');
    await removeOld(req.out, name);
    return join(req.out, name);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** The checkpoint's manifest (and side manifests) with `file` and the sha256s filled in, validated. */
async function finalManifests(req: CheckpointRequest, tmp: string): Promise<{ manifest: Record<string, unknown>; sides: Record<string, Record<string, unknown>> }> {
  const sides: Record<string, Record<string, unknown>> = {};
  for (const [name, m] of Object.entries(req.sideManifests ?? {})) sides[name] = { ...m, file: 'model.json' };
  let manifest: Record<string, unknown>;
  if (req.onnx) {
    const r = await writeOnnxExports(tmp, req.onnx, req.manifest, async (model, dir) => void (await model.save(folderSaveHandler(dir))));
    manifest = r.manifest;
    if (r.reverse) {
      req.validate?.(r.reverse);
      sides[REVERSE_MANIFEST] = r.reverse;
    }
  } else {
    const files = { 'model.json': await sha256File(join(tmp, 'model.json')), 'weights.bin': await sha256File(join(tmp, 'weights.bin')) };
    manifest = { ...req.manifest, file: 'model.json', sha256: files['model.json'], files };
  }
  req.validate?.(manifest);
  return { manifest, sides };
}

/**
 * The checkpoint folder the run's top manifest points at, or null when the run folder has no checkpoint.
 *
 * @example
 * await latestCheckpoint('runs/dcgan'); // '/abs/runs/dcgan/ckpt-000500'
 */
export async function latestCheckpoint(out: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(join(out, TOP_MANIFEST), 'utf8');
  } catch {
    return null;
  }
  const file = (parseJsonText(text, join(out, TOP_MANIFEST), 'use a fresh --out') as { file?: unknown } | null)?.file;
  const folder = typeof file === 'string' ? file.split('/')[0]! : '';
  if (!CKPT.test(folder) || !(await stat(join(out, folder, 'state.json')).catch(() => null))) {
    throw new GenbenchError('INPUT', `${join(out, TOP_MANIFEST)}: field 'file' does not point at a genbench training checkpoint (ckpt-N/model.json with state.json); use a fresh --out`);
  }
  return join(out, folder);
}

/** Removes temporary folders left by an interrupted checkpoint write. */
export async function removeStaleTemps(out: string): Promise<void> {
  const names = await readdir(out).catch(() => [] as string[]);
  for (const n of names) if (n.startsWith('.ckpt-tmp-')) await rm(join(out, n), { recursive: true, force: true });
}

async function freeName(out: string, base: string): Promise<string> {
  if (!(await stat(join(out, base)).catch(() => null))) return base;
  return `${base}-${randomBytes(3).toString('hex')}`;
}

async function removeOld(out: string, keep: string): Promise<void> {
  for (const n of await readdir(out)) if (CKPT.test(n) && n !== keep) await rm(join(out, n), { recursive: true, force: true });
}
