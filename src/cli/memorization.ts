import { resolve } from 'node:path';
import { Command } from 'commander';
import { sha256File } from '../assets/index.js';
import { GenbenchError } from '../errors.js';
import { readNpy } from '../io/npy.js';
import { toFeatureMatrix, type Matrix } from '../linalg/matrix.js';
import type { MemorizationOptions, MemorizationResult } from '../memorization/checks.js';
import type { MemorizationSpace } from '../memorization/model.js';
import { VERSION } from '../version.js';
import { log, parseIntFlag, printJson, printLine } from './output.js';
import { stderrProgress } from './progress-bar.js';

/**
 * `genbench memorization`: does a model copy its training images? (src/memorization)
 *   features mode: genbench memorization --train-features T.npy --heldout-features H.npy --generated-features G.npy
 *                  [--centers C.npy | --cells K] [--seed S] --json
 *                  prints { copy_rate, closer_to_train_share, mifid_term, ct, recipe } (flat: one space)
 *   model mode:    genbench memorization --generator PATH --dataset NAME --train-split S --heldout-split H
 *                  [--space pixel|features|both] [--n N] [--extractor ID] [--json] [--panels out.png]
 *                  prints { pixel: {...}, features: {...}, recipe } (the spaces computed)
 * Each check is { value, ..., copying }; C_T is strongly negative when the model copies. Exit 0 either way (a
 * verdict is not an error); bad input exits 2 with one line.
 *
 * @example
 * genbench memorization --train-features T.npy --heldout-features H.npy --generated-features G.npy --cells 5 --json
 * # { "copy_rate": { "value": 0.01, ... }, "ct": { "value": -0.55, "per_cell": [...] }, "recipe": {...} }
 */
interface MemorizationFlags {
  trainFeatures?: string;
  heldoutFeatures?: string;
  generatedFeatures?: string;
  centers?: string;
  cells?: string;
  generator?: string;
  dataset?: string;
  trainSplit?: string;
  heldoutSplit?: string;
  space?: string;
  n?: string;
  extractor?: string;
  seed: string;
  nn?: string;
  panels?: string;
  batchSize?: string;
  backend?: string;
  json?: boolean;
  quiet?: boolean;
}

export function memorizationCommand(): Command {
  return new Command('memorization')
    .description('memorisation checks: copy rate, closer-to-train share, MiFID memorisation term, data-copying C_T')
    .option('--train-features <T.npy>', 'features mode: training features [N, d]')
    .option('--heldout-features <H.npy>', 'features mode: held-out real features [M, d]')
    .option('--generated-features <G.npy>', 'features mode: generated features [K, d]')
    .option('--centers <C.npy>', 'C_T cells: given centres [k, d] (a row\'s cell is its nearest centre)')
    .option('--cells <k>', 'C_T cells: k-means on the training rows with k cells (default: about 50 generated samples per cell, 1-50)')
    .option('--generator <path>', 'model mode: checkpoint (X.onnx with X.genbench.json, or a TF.js folder)')
    .option('--dataset <name>', 'model mode: dataset (mnist, pneumoniamnist, ..., image folder or .npz)')
    .option('--train-split <expr>', 'model mode: the images the model was trained on, e.g. test[:8000]')
    .option('--heldout-split <expr>', 'model mode: real images it never saw, e.g. test[8000:]')
    .option('--space <s>', 'model mode: pixel, features or both', 'both')
    .option('--n <count>', 'model mode: generated samples', '1000')
    .option('--extractor <id>', 'model mode: feature extractor for feature space (default mobilenet-v1-0.75)')
    .option('--seed <int>', 'seed of sampling, held-out halves and k-means', '0')
    .option('--nn <method>', 'nearest-neighbour search: exact, hnsw or auto (default auto: by training-set size)')
    .option('--panels <out.png>', 'model mode: PNG of the most suspicious samples beside their 5 nearest training images (+ .legend.json)')
    .option('--batch-size <int>', 'images per forward pass')
    .option('--backend <name>', 'tfjs backend: node-gpu, node, wasm, cpu')
    .option('--json', 'machine-readable output on stdout')
    .option('--quiet', 'no progress bars')
    .action(runMemorization);
}

async function runMemorization(f: MemorizationFlags): Promise<void> {
  const featureMode = f.trainFeatures !== undefined || f.heldoutFeatures !== undefined || f.generatedFeatures !== undefined;
  const modelMode = f.generator !== undefined || f.dataset !== undefined || f.trainSplit !== undefined || f.heldoutSplit !== undefined;
  if (featureMode === modelMode) {
    throw new GenbenchError('USAGE', 'give either --train-features/--heldout-features/--generated-features (features mode) or --generator/--dataset/--train-split/--heldout-split (model mode)');
  }
  if (f.centers !== undefined && f.cells !== undefined) throw new GenbenchError('USAGE', 'give --centers or --cells, not both');
  const opts = await checkOptions(f);
  if (featureMode) return runFeatures(f, opts);
  return runModel(f, opts);
}

async function checkOptions(f: MemorizationFlags): Promise<MemorizationOptions> {
  const seed = parseIntFlag('seed', f.seed, { min: 0, max: 0xffffffff });
  if (f.nn !== undefined && !['exact', 'hnsw', 'auto'].includes(f.nn)) throw new GenbenchError('USAGE', `--nn: use exact, hnsw or auto, got '${f.nn}'`);
  return {
    seed,
    ...(f.cells === undefined ? {} : { cells: parseIntFlag('cells', f.cells, { min: 1 }) }),
    ...(f.centers === undefined ? {} : { centers: await loadMatrix(f.centers, '--centers') }),
    ...(f.nn === undefined ? {} : { nnMethod: f.nn as 'exact' | 'hnsw' | 'auto' }),
  };
}

async function runFeatures(f: MemorizationFlags, opts: MemorizationOptions): Promise<void> {
  const need = (v: string | undefined, flag: string) => {
    if (v === undefined) throw new GenbenchError('USAGE', `features mode needs ${flag}: give --train-features, --heldout-features and --generated-features`);
    return v;
  };
  const paths = { train: need(f.trainFeatures, '--train-features'), heldout: need(f.heldoutFeatures, '--heldout-features'), generated: need(f.generatedFeatures, '--generated-features') };
  const sets = { train: await loadMatrix(paths.train, '--train-features'), heldout: await loadMatrix(paths.heldout, '--heldout-features'), generated: await loadMatrix(paths.generated, '--generated-features') };
  if (opts.cells !== undefined && opts.cells > sets.train.rows) throw new GenbenchError('USAGE', `--cells: ${opts.cells} is more than the ${sets.train.rows} training rows`);
  const { memorizationChecks } = await import('../memorization/checks.js');
  const { checksJson } = await import('../memorization/output.js');
  const r = await memorizationChecks(sets, opts);
  const inputs = Object.fromEntries(await Promise.all(Object.entries(paths).map(async ([k, p]) => [k, { path: resolve(p), sha256: await sha256File(p) }])));
  const recipe = { genbench: VERSION, command: 'memorization', space: 'features', inputs, ...r.recipe };
  if (f.json) return printJson({ ...checksJson(r), recipe });
  printSpace('features', r);
}

async function runModel(f: MemorizationFlags, opts: MemorizationOptions): Promise<void> {
  for (const [v, flag] of [[f.generator, '--generator'], [f.dataset, '--dataset'], [f.trainSplit, '--train-split'], [f.heldoutSplit, '--heldout-split']] as const) {
    if (v === undefined) throw new GenbenchError('USAGE', `model mode needs ${flag}: give --generator, --dataset, --train-split and --heldout-split`);
  }
  const space = (f.space ?? 'both') as MemorizationSpace;
  const n = parseIntFlag('n', f.n ?? '1000', { min: 2 });
  const batchSize = f.batchSize === undefined ? undefined : parseIntFlag('batch-size', f.batchSize, { min: 1 });
  const { memorizationForModel } = await import('../memorization/model.js'); // tfjs and onnxruntime load only when needed
  const { checksJson } = await import('../memorization/output.js');
  const r = await memorizationForModel({
    ...opts,
    generator: f.generator!,
    dataset: f.dataset!,
    trainSplit: f.trainSplit!,
    heldoutSplit: f.heldoutSplit!,
    space,
    n,
    progress: stderrProgress({ quiet: f.quiet === true }),
    ...(f.extractor === undefined ? {} : { extractor: f.extractor }),
    ...(f.panels === undefined ? {} : { panels: f.panels }),
    ...(batchSize === undefined ? {} : { batchSize }),
    ...(f.backend === undefined ? {} : { backend: f.backend }),
  });
  const spaces = Object.fromEntries(Object.entries(r.spaces).map(([k, v]) => [k, checksJson(v)]));
  if (f.json) return printJson({ ...spaces, recipe: r.recipe, ...(r.panels === undefined ? {} : { panels: r.panels }) });
  for (const [name, res] of Object.entries(r.spaces)) printSpace(name, res);
  if (r.panels !== undefined && f.quiet !== true) log(`wrote ${resolve(r.panels.png)} and ${resolve(r.panels.legend)}`);
}

function printSpace(space: string, r: MemorizationResult): void {
  const verdict = (c: boolean) => (c ? 'COPYING' : 'ok');
  const fmt = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toPrecision(4));
  printLine(`${space} space:`);
  printLine(`  copy_rate              ${fmt(r.copy_rate.value)} (held-out ${fmt(r.copy_rate.baseline)})  ${verdict(r.copy_rate.copying)}`);
  printLine(`  closer_to_train_share  ${fmt(r.closer_to_train_share.value)} (held-out ${fmt(r.closer_to_train_share.baseline)})  ${verdict(r.closer_to_train_share.copying)}`);
  printLine(`  mifid_term             ${fmt(r.mifid_term.raw)} (thresholded ${fmt(r.mifid_term.thresholded)}, held-out ${fmt(r.mifid_term.baseline)})  ${verdict(r.mifid_term.copying)}`);
  printLine(`  ct                     ${fmt(r.ct.value)} over ${r.ct.cells} cells (strongly negative = copying)  ${verdict(r.ct.copying)}`);
}

/** A .npy [rows, cols] as a float64 matrix; shape and finiteness errors name the flag and file. */
async function loadMatrix(path: string, flag: string): Promise<Matrix> {
  const a = await readNpy(path);
  if (a.shape.length !== 2) throw new GenbenchError('INPUT', `${flag} ${path}: expected a 2-D array [rows, features], got shape [${a.shape.join(', ')}]`);
  return toFeatureMatrix(a.data, a.shape[0]!, a.shape[1]!, `${flag} ${path}`);
}
