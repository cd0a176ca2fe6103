import { resolve } from 'node:path';
import { Command } from 'commander';
import { sha256File } from '../assets/index.js';
import { GenbenchError } from '../errors.js';
import { readNpy } from '../io/npy.js';
import { toFeatureMatrix, type Matrix } from '../linalg/matrix.js';
import type { MemorizationOptions, MemorizationResult } from '../memorization/checks.js';
import type { MemorizationSpace } from '../memorization/model.js';
import { anyCopying, checksJson } from '../memorization/output.js';
import { memorizationVerdictOfSpaces } from '../memorization/verdict.js';
import { VERSION } from '../version.js';
import { log, parseIntFlag, printJson, printLine, checkOutputs } from './output.js';
import { stderrProgress } from './progress-bar.js';
import { parseResizeFlags, requireResizable, resizeOptions, type ResizeFlags } from './resize-flags.js';

/**
 * `genbench memorization`: does a model copy its training images? (src/memorization)
 *   features mode: genbench memorization --train-features T.npy --heldout-features H.npy --generated-features G.npy
 *                  [--centers C.npy | --cells K] [--seed S] --json
 *                  prints { copy_rate, closer_to_train_share, mifid_term, ct, recipe } (flat: one space)
 *   model mode:    genbench memorization --generator PATH --dataset NAME --train-split S --heldout-split H
 *                  [--space pixel|features|both] [--n N] [--extractor ID] [--json] [--panels out.png]
 *                  prints { pixel: {...}, features: {...}, recipe } (the spaces computed)
 * Each check is { value, ..., copying }; C_T is strongly negative when the model copies. Prints the checks, any
 * warning (held-out set shifted from the training set) on stderr and the one-line verdict (memorizationVerdict).
 * Exit 1 when a check says copying (like `genbench gate`), 0 otherwise; bad input exits 2 with one line.
 *
 * @example
 * genbench memorization --train-features T.npy --heldout-features H.npy --generated-features G.npy --cells 5 --json
 * # { "copy_rate": { "value": 0.01, ... }, "ct": { "value": -0.55, "per_cell": [...] }, "recipe": {...} }
 */
interface MemorizationFlags extends ResizeFlags {
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
  return resizeOptions(new Command('memorization'))
    .description('memorisation checks: copy rate, closer-to-train share, MiFID memorisation term, data-copying C_T; exit 1 when a check says copying')
    .addHelpText('after', [
      '',
      'Exit status: 0 when no check says copying, 1 when at least one does (the verdict line names them), 2 for bad input.',
      'Null: each check is calibrated for held-out images drawn like the training images; nominal false-positive rates',
      'copy_rate 0.001 (Fisher exact), closer_to_train_share 0.001 (label permutation), ct Phi(-3) = 0.00135,',
      'mifid_term < 0.001 (effect-size rule). Cut training and held-out rows from one seeded random partition, e.g.',
      "--train-split 'test~0[:8000]' --heldout-split 'test~0[8000:]'; a warning says when the held-out set looks shifted.",
    ].join('\n'))
    .option('--train-features <T.npy>', 'features mode: training features [N, d]')
    .option('--heldout-features <H.npy>', 'features mode: held-out real features [M, d]')
    .option('--generated-features <G.npy>', 'features mode: generated features [K, d]')
    .option('--centers <C.npy>', 'C_T cells: given centres [k, d] (a row\'s cell is its nearest centre)')
    .option('--cells <k>', 'C_T cells: k-means on the training rows with k cells (default: about 50 generated samples per cell, 1-50)')
    .option('--generator <path>', 'model mode: checkpoint (X.onnx with X.genbench.json, or a TF.js folder)')
    .option('--dataset <name>', 'model mode: dataset (mnist, pneumoniamnist, ..., image folder or .npz)')
    .option('--train-split <expr>', 'model mode: the images the model was trained on, e.g. test~0[:8000] (seeded random partition)')
    .option('--heldout-split <expr>', 'model mode: real images it never saw, from the same distribution, e.g. test~0[8000:]')
    .option('--space <s>', 'model mode: pixel, features or both', 'both')
    .option('--n <count>', 'model mode: generated samples', '1000')
    .option('--extractor <id>', 'model mode: feature extractor for feature space (default mobilenet-v1-0.75)')
    .option('--seed <int>', 'seed of sampling, held-out halves, permutations and k-means', '0')
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
  if (featureMode && (f.resize ?? f.filter) !== undefined) throw new GenbenchError('USAGE', '--resize: model mode only (it resizes the images of an image-folder --dataset); features mode reads feature files');
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
  const r = await memorizationChecks(sets, opts);
  const inputs = Object.fromEntries(await Promise.all(Object.entries(paths).map(async ([k, p]) => [k, { path: resolve(p), sha256: await sha256File(p) }])));
  const recipe = { genbench: VERSION, command: 'memorization', space: 'features', inputs, ...r.recipe };
  const json = checksJson(r);
  if (f.json) printJson({ ...json, recipe });
  else printSpace('features', r);
  finish({ features: r }, { features: json }, f);
}

async function runModel(f: MemorizationFlags, opts: MemorizationOptions): Promise<void> {
  for (const [v, flag] of [[f.generator, '--generator'], [f.dataset, '--dataset'], [f.trainSplit, '--train-split'], [f.heldoutSplit, '--heldout-split']] as const) {
    if (v === undefined) throw new GenbenchError('USAGE', `model mode needs ${flag}: give --generator, --dataset, --train-split and --heldout-split`);
  }
  const space = (f.space ?? 'both') as MemorizationSpace;
  const n = parseIntFlag('n', f.n ?? '1000', { min: 2 });
  const batchSize = f.batchSize === undefined ? undefined : parseIntFlag('batch-size', f.batchSize, { min: 1 });
  const resize = parseResizeFlags(f);
  await requireResizable(resize, { '--dataset': { path: f.dataset, zip: false } });
  if (f.panels !== undefined) await checkOutputs({ '--panels': f.panels, '--panels legend': `${f.panels.replace(/\.png$/i, '')}.legend.json` });
  const { memorizationForModel } = await import('../memorization/model.js'); // tfjs and onnxruntime load only when needed
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
    ...(resize === undefined ? {} : { resize }),
  });
  const spaces = Object.fromEntries(Object.entries(r.spaces).map(([k, v]) => [k, checksJson(v)]));
  if (f.json) printJson({ ...spaces, recipe: r.recipe, ...(r.panels === undefined ? {} : { panels: r.panels }) });
  else for (const [name, res] of Object.entries(r.spaces)) printSpace(name, res);
  if (r.panels !== undefined && f.quiet !== true) log(`wrote ${resolve(r.panels.png)} and ${resolve(r.panels.legend)}`);
  finish(r.spaces, spaces, f);
}

/**
 * Warnings on stderr, the verdict line (stdout without --json, stderr with it unless --quiet), then CHECK_FAILED
 * (exit 1) when a check says copying.
 */
function finish(results: Record<string, MemorizationResult>, spaces: Record<string, object>, f: MemorizationFlags): void {
  const warnings = [...new Set(Object.values(results).flatMap((r) => r.warnings))];
  for (const w of warnings) log(`warning: ${w}`);
  const verdict = memorizationVerdictOfSpaces(Object.keys(spaces).length === 1 ? { '': Object.values(spaces)[0]! } : spaces) ?? 'memorisation: no checks ran';
  if (!f.json) printLine(verdict);
  else if (f.quiet !== true) log(verdict);
  const flagged = Object.entries(results).filter(([, r]) => anyCopying(r)).map(([k]) => k);
  if (flagged.length > 0) throw new GenbenchError('CHECK_FAILED', `memorisation: a check says copying in ${flagged.join(' and ')} space`);
}

function printSpace(space: string, r: MemorizationResult): void {
  const verdict = (c: boolean) => (c ? 'COPYING' : 'ok');
  const fmt = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toPrecision(4));
  printLine(`${space} space:`);
  const c = r.closer_to_train_share;
  printLine(`  copy_rate              ${fmt(r.copy_rate.value)} (held-out ${fmt(r.copy_rate.baseline)}, Fisher p ${fmt(r.copy_rate.p_value)})  ${verdict(r.copy_rate.copying)}`);
  printLine(`  closer_to_train_share  ${fmt(c.value)} (null ${fmt(c.null_expectation)}, permutation p ${fmt(c.p_value)}; held-out ${fmt(c.baseline)} vs ${fmt(c.baseline_expectation)})  ${verdict(c.copying)}`);
  printLine(`  mifid_term             ${fmt(r.mifid_term.raw)} (thresholded ${fmt(r.mifid_term.thresholded)}, held-out ${fmt(r.mifid_term.baseline)})  ${verdict(r.mifid_term.copying)}`);
  printLine(`  ct                     ${fmt(r.ct.value)} over ${r.ct.cells} cells (strongly negative = copying, p ${fmt(r.ct.p_value)})  ${verdict(r.ct.copying)}`);
}

/** A .npy [rows, cols] as a float64 matrix; shape and finiteness errors name the flag and file. */
async function loadMatrix(path: string, flag: string): Promise<Matrix> {
  const a = await readNpy(path);
  if (a.shape.length !== 2) throw new GenbenchError('INPUT', `${flag} ${path}: expected a 2-D array [rows, features], got shape [${a.shape.join(', ')}]`);
  return toFeatureMatrix(a.data, a.shape[0]!, a.shape[1]!, `${flag} ${path}`);
}
