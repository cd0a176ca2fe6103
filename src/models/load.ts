import { stat } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { GenbenchError } from '../errors.js';
import { manifestPathFor, readManifest, type GeneratorManifest } from './manifest.js';
import { loadOnnxGenerator } from './onnx.js';
import { checkShards, readModelJson, shardNames, shardPath } from '../io/tfjs-model-files.js';
import { loadTfjsOnOnnx } from './tfjs-onnx.js';
import { loadTfjsGenerator } from './tfjs.js';
import type { Generator, LoadOptions } from './types.js';
import { verifyChecksums } from './verify.js';

/**
 * Loads a generator checkpoint: an `.onnx` file (manifest `X.genbench.json` beside it), a TF.js model folder
 * (manifest `genbench.json` inside), or the manifest itself. The format comes from the manifest. Before loading:
 * the manifest is validated, shards are checked for presence and size, and every listed sha256 is compared.
 * After loading, one latent is run to check the output shape and values against the manifest. TF.js layers
 * checkpoints run on onnxruntime after a cached conversion unless `engine` (or GENBENCH_ENGINE) is 'tfjs'; graph
 * models and unconvertible layers models run on tfjs (see tfjs-onnx.ts).
 *
 * @example
 * const g = await loadGenerator('/data/genbench-assets/fixtures/submissions/mnist-dcgan.onnx');
 * g.latentDim; // 64
 * const x = await g.sample({ n: 16, seed: 0 });
 * g.dispose();
 */
export async function loadGenerator(path: string, opts: LoadOptions = {}): Promise<Generator> {
  const manifestPath = resolve(await manifestPathFor(path));
  const manifest = await readManifest(manifestPath);
  const mainFile = resolve(dirname(manifestPath), manifest.file);
  await mustExist(mainFile, manifestPath);
  const skip = opts.skipChecksums ?? false;
  if (manifest.format === 'onnx') {
    const sha256 = await verifyChecksums({ manifest, manifestPath, mainFile, required: [], skip });
    return loadOnnxGenerator({ manifest, manifestPath, file: mainFile, sha256 });
  }
  const sha256 = await verifyFolder(manifest, manifestPath, mainFile, skip);
  if (generatorEngine(opts) === 'onnx' && manifest.format === 'tfjs-layers') {
    const cache = opts.cacheDir === undefined ? {} : { cacheDir: opts.cacheDir };
    const r = await loadTfjsOnOnnx({ manifest, manifestPath, modelJson: mainFile, sha256, ...cache });
    if ('generator' in r) return r.generator;
    opts.onNote?.(r.fallback);
  }
  return loadTfjsGenerator({
    manifest,
    manifestPath,
    modelJson: mainFile,
    sha256,
    ...(opts.backend === undefined ? {} : { backend: opts.backend }),
  });
}

/** The engine for TF.js layers checkpoints: the option, else GENBENCH_ENGINE, else 'onnx'. */
export function generatorEngine(opts: LoadOptions = {}): 'onnx' | 'tfjs' {
  const engine = opts.engine ?? process.env['GENBENCH_ENGINE'] ?? 'onnx';
  if (engine !== 'onnx' && engine !== 'tfjs') throw new GenbenchError('USAGE', `GENBENCH_ENGINE='${engine}': use 'onnx' or 'tfjs'`);
  return engine;
}

/**
 * Shards present and of the right size first (a truncated file is INPUT, not CHECKSUM), then the sha256s; `files`
 * must list model.json's shards. Shared by every TF.js checkpoint (generators here, translators in translator.ts).
 */
export async function verifyFolder(m: Pick<GeneratorManifest, 'format' | 'sha256' | 'files'>, manifestPath: string, modelJson: string, skip: boolean): Promise<string> {
  const json = await readModelJson(modelJson);
  const declared = (json as { format?: string }).format;
  if (m.format === 'tfjs-graph' && declared !== 'graph-model') {
    throw new GenbenchError('INPUT', `${manifestPath}: field 'format' is 'tfjs-graph' but ${modelJson} has format '${declared ?? 'none'}' (layers models are 'tfjs-layers')`);
  }
  if (m.format === 'tfjs-layers' && declared === 'graph-model') {
    throw new GenbenchError('INPUT', `${manifestPath}: field 'format' is 'tfjs-layers' but ${modelJson} is a graph model (use 'tfjs-graph')`);
  }
  await checkShards(modelJson, json);
  const folder = dirname(modelJson);
  const required = shardNames(json).map((p) => relative(folder, shardPath(modelJson, p)));
  return verifyChecksums({ manifest: m, manifestPath, mainFile: modelJson, required, skip });
}

async function mustExist(file: string, manifestPath: string): Promise<void> {
  const info = await stat(file).catch(() => null);
  if (info === null || !info.isFile()) {
    throw new GenbenchError('NOT_FOUND', `${file}: model file named by field 'file' of ${manifestPath} does not exist`);
  }
}
