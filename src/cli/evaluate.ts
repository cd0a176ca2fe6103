import { basename, dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { defaultMetrics, METRICS } from '../../metrics/index.js';
import { parseValueRange } from '../data/image-set.js';
import { GenbenchError } from '../errors.js';
import type { Report } from '../io/report.js';
import { checkOutputs, log, parseIntFlag, printJson, printLine } from './output.js';
import { stderrProgress } from './progress-bar.js';
import type { TranslatorFlags } from './evaluate-translator.js';
import { parseResizeFlags, requireResizable, resizeOptions, type ResizeFlags } from './resize-flags.js';

/**
 * `genbench evaluate`: scores a generator checkpoint against a dataset split and writes a `genbench.report/v1`
 * report (src/harness/evaluate.ts, src/io/report.ts). Progress bars per stage on stderr; the report as JSON on
 * stdout with --json, a readable summary otherwise; the report file (--out) and the sample grid are written
 * atomically. Bad input exits 2 with one line.
 *
 * `--generated IMAGES` scores a set of images instead (a folder of PNG/JPEG, a .zip of them, a .npy or .npz array
 * such as `genbench sample --out` writes; src/data/image-set.ts): the first --n of them (default all), with the same
 * report, reference, intervals, grid and, with --train-split, memorisation checks; the report's model section
 * describes the set (format 'images', sha256 of its files).
 *
 * `--resize HxW` (with `--filter`) resizes every image of the image folders and .zip files read (the --generated set,
 * an image-folder --dataset), as a folder of images of several sizes needs; recorded in recipe.preprocessing.
 *
 * Defaults: --n 5000 (a generator); reference = min(n, split size) seeded random rows of the split (--reference-n, --reference-seed;
 * the seed defaults to --seed, so runs with other seeds re-draw the reference rows too); 95% intervals on every
 * metric from 200 two-sample resamples (--bootstrap N, --no-ci); memorisation checks when the model's manifest
 * names its training split (--no-memorization);
 * --split = the dataset's test split, held out from the model's training rows when its manifest names them (the
 * shared MNIST fixtures, trained on test rows 0-7999, are scored against test[8000:]); grid beside --out as
 * `<report>.grid.png` unless --grid is given.
 *
 * `--translator T` with `--task NAME`, `--pairs FILE.npz|DIR` or `--source S --target T` scores an image-to-image
 * translator instead (evaluate-translator.ts, src/harness/translate.ts): paired pixel metrics, or content
 * preservation and the target-domain classifier on unpaired data, FD/KID/precision/recall of the outputs against
 * the target images, the cycle error with --reverse-translator, feature_matching through a discriminator on paired
 * data with --discriminator; the same report.
 *
 * @example
 * genbench evaluate --generator subs/mnist-dcgan.onnx --dataset mnist --split test --n 1000 --json   # { "schema": "genbench.report/v1", ... }
 * genbench evaluate --generated samples.npy --dataset mnist --split 'test[8000:]' --json             # model: { format: 'images', ... }
 */
interface EvaluateFlags extends ResizeFlags, TranslatorFlags {
  generator?: string;
  generated?: string;
  generatedRange?: string;
  dataset?: string;
  split?: string;
  n?: string;
  referenceN?: string;
  extractor?: string;
  metrics?: string;
  seed: string;
  referenceSeed?: string;
  bootstrap: string;
  ci: boolean;
  memorization: boolean;
  batchSize?: string;
  backend?: string;
  out?: string;
  grid?: string;
  trainSplit?: string;
  json?: boolean;
  quiet?: boolean;
  baseline?: string;
  rules?: string;
  referenceStats?: string;
}

export function evaluateCommand(): Command {
  return resizeOptions(new Command('evaluate'))
    .description('score a generator (or a set of generated images) against a dataset split: sample, extract features, compute metrics, write a report; or a translator on paired or unpaired data (--translator with --task, --pairs or --source/--target)')
    .option('--generator <path>', 'checkpoint: X.onnx (manifest X.genbench.json beside it) or a TF.js model folder')
    .option('--generated <images>', 'score these images instead of a generator: a folder of PNG/JPEG, a .zip of them, X.npy or X.npz (uint8 [N,H,W,C] as genbench sample --out writes)')
    .option('--generated-range <lo,hi>', 'value range of float --generated arrays, e.g. -1,1 or 0,1 (quantised to 8 bits like samples)')
    .option('--dataset <name>', 'built-in dataset (mnist, pneumoniamnist, polygons, ...), image folder or .npz (required for a generator or --generated)')
    .option('--split <expr>', 'reference split, e.g. test or test[8000:] (default: test, held out from the model\'s training rows)')
    .option('--n <count>', 'generated samples to score (default 5000; with --generated, all of them)')
    .option('--reference-n <count>', 'reference images: seeded random rows of the split (default: min(n, split size))')
    .option('--reference-seed <int>', 'seed of the reference rows (default: --seed)')
    .option('--reference-stats <S.npz>', 'the reference as statistics (genbench stats, same extractor and layer) instead of rows: FD, with an interval over the generated sampling only, and IS; no KID, FD∞, k-NN metrics or memorisation checks')
    .option('--extractor <id>', 'feature extractor: mobilenet-v1-0.75 (default), mobilenet-v1-0.25, discriminator:<path>, custom:<path>, classifier:<dataset> (mnist, pneumoniamnist, polygons: trained once, cached) or classifier:<run folder>; for --translator also none (pixel metrics only)')
    .option('--metrics <list>', metricsHelp())
    .option('--seed <int>', 'seed of the latents, the reference rows and the bootstrap resamples', '0')
    .option('--bootstrap <n>', 'resamples of the 95% intervals on every metric (both sets resampled; 0 = none)', '200')
    .option('--no-ci', 'no intervals (same as --bootstrap 0; the gate then refuses the report)')
    .option('--batch-size <int>', 'images per forward pass (generator and extractor)')
    .option('--backend <name>', 'tfjs backend: node-gpu, node, wasm, cpu')
    .option('--out <report.json>', 'write the report here (atomically)')
    .option('--grid <file.png>', 'write a PNG grid of the first 64 samples scored (default: beside --out)')
    .option('--train-split <expr>', 'the model\'s training split (e.g. test~0[:8000]; default: the manifest\'s train_split): adds the memorisation checks (feature space)')
    .option('--no-memorization', 'skip the memorisation checks even when the manifest names the training split')
    .option('--json', 'print the report JSON on stdout')
    .option('--quiet', 'no progress bars')
    .option('--baseline <report.json>', 'then gate the new report against this one (genbench gate; exit 1 on a regression)')
    .option('--rules <gate.json>', 'gate rules for --baseline (docs/gate.md)')
    .option('--translator <path>', 'score an image-to-image translator instead: X.onnx with X.genbench.json ("kind": "translator"), on --task or --pairs')
    .option('--task <name>', 'translation task for --translator: colin27-t1-bet, colin27-t1-aal (segmentation, scored by Dice), pneumonia-sr2, pneumonia-denoise, pneumonia-normal-to-pneumonia (unpaired) or a volume task spec .json (default split: test)')
    .option('--pairs <path>', 'paired data for --translator: an .npz with arrays source and target, or a folder with source/ and target/')
    .option('--source <images>', 'unpaired data for --translator: images of the source domain (a folder of PNG/JPEG, a .zip of them, .npy or .npz), with --target')
    .option('--target <images>', 'unpaired data for --translator: images of the target domain, with --source')
    .option('--pairs-range <lo,hi>', 'value range of float --pairs (or --source/--target) arrays, e.g. 0,1')
    .option('--labels <n>', '--pairs whose targets are label maps (0 background, 1..n regions): score the outputs by Dice per label and their mean instead of PSNR/SSIM')
    .option('--reverse-translator <path>', 'a translator from the target domain back to the source domain: adds the cycle error (mean L1 of B(A(x)) - x)')
    .option('--classifier <id>', 'unpaired --source/--target data: the target-domain classifier, classifier:<dataset> (mnist, pneumoniamnist, polygons: trained once, cached) or classifier:<run folder>, with --target-class; adds target_share')
    .option('--target-class <class>', 'with --classifier: the class of the target domain, a class name (e.g. pneumonia) or a label (e.g. 7)')
    .option('--discriminator <path>', 'paired --translator data: a GAN discriminator checkpoint (ONNX or TF.js with a manifest naming its outputs) taking the outputs\' shape: adds feature_matching of each output and its target, as genbench pixel --discriminator')
    .option('--layers <list>', 'discriminator layers for feature_matching (default: every output its manifest names), e.g. f1,f2')
    .option('--no-classifier', 'unpaired tasks: skip the target-domain classifier (classifier:pneumoniamnist is trained once on first use)')
    .action(runEvaluate);
}

/** The dataset a statistics file's rows came from (its recipe), for --reference-stats without --dataset. */
async function statsSource(path: string): Promise<string> {
  const { readStats } = await import('../data/stats-file.js');
  const source = ((await readStats(path)).recipe?.['images'] as { source?: unknown } | undefined)?.source;
  if (typeof source !== 'string') throw new GenbenchError('USAGE', `--reference-stats ${path}: its recipe names no dataset; pass --dataset`);
  return source;
}

async function runEvaluate(f: EvaluateFlags): Promise<void> {
  if ([f.translator, f.task, f.pairs, f.source, f.target, f.reverseTranslator, f.labels].some((v) => v !== undefined)) return (await import('./evaluate-translator.js')).runTranslatorEvaluate({ ...f });
  if (f.classifier === false) throw new GenbenchError('USAGE', '--no-classifier applies to --translator runs on unpaired tasks');
  if (f.discriminator !== undefined || f.layers !== undefined) throw new GenbenchError('USAGE', `${f.discriminator === undefined ? '--layers' : '--discriminator'} applies to --translator runs on paired data (a generator is scored with --extractor discriminator:<path>)`);
  if (f.classifier !== undefined || f.targetClass !== undefined) throw new GenbenchError('USAGE', `${f.classifier === undefined ? '--target-class' : '--classifier'} applies to --translator runs on --source/--target data (a generator is scored with --extractor classifier:<dataset>)`);
  if (f.referenceStats !== undefined) {
    const clash = (['split', 'referenceN', 'referenceSeed', 'trainSplit'] as const).find((k) => f[k] !== undefined);
    if (clash !== undefined) throw new GenbenchError('USAGE', `--${clash.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: not with --reference-stats (the statistics file is the whole reference)`);
    f.dataset ??= await statsSource(f.referenceStats);
  }
  if (f.dataset === undefined) throw new GenbenchError('USAGE', "required option '--dataset <name>' not specified (the dataset split a generator or --generated images are scored against)");
  if ((f.generator === undefined) === (f.generated === undefined)) throw new GenbenchError('USAGE', 'give --generator CHECKPOINT or --generated IMAGES (a folder, .zip, .npy or .npz), not both');
  const n = f.n === undefined ? (f.generated === undefined ? 5000 : undefined) : parseIntFlag('n', f.n, { min: 2 });
  const generatedRange = f.generatedRange === undefined ? undefined : parseValueRange(f.generatedRange);
  if (generatedRange !== undefined && f.generated === undefined) throw new GenbenchError('USAGE', '--generated-range: only for --generated float arrays');
  const referenceN = f.referenceN === undefined ? undefined : parseIntFlag('reference-n', f.referenceN, { min: 2 });
  const seed = parseIntFlag('seed', f.seed, { min: 0, max: 0xffffffff });
  const bootstrap = f.ci ? parseIntFlag('bootstrap', f.bootstrap, { min: 0 }) : 0;
  const referenceSeed = f.referenceSeed === undefined ? undefined : parseIntFlag('reference-seed', f.referenceSeed, { min: 0, max: 0xffffffff });
  const batchSize = f.batchSize === undefined ? undefined : parseIntFlag('batch-size', f.batchSize, { min: 1 });
  const resize = parseResizeFlags(f);
  await requireResizable(resize, { '--generated': { path: f.generated, zip: true }, '--dataset': { path: f.dataset, zip: false } });
  const grid = f.grid ?? (f.out === undefined ? undefined : defaultGridPath(f.out));
  await checkOutputs({ '--out': f.out, '--grid': grid });
  const gate = f.baseline === undefined ? undefined : await loadGate(f.baseline, f.rules); // bad files fail before the work
  const { evaluate, evaluateImages } = await import('../harness/evaluate.js'); // tfjs loads only when needed (onnxruntime is loaded at start: the metric registry's matrix products use it)
  const { writeReport } = await import('../io/report.js');
  const common = {
    dataset: f.dataset,
    seed,
    bootstrap,
    progress: stderrProgress({ quiet: f.quiet === true }),
    ...(f.split === undefined ? {} : { split: f.split }),
    ...(referenceN === undefined ? {} : { referenceN }),
    ...(referenceSeed === undefined ? {} : { referenceSeed }),
    ...(f.extractor === undefined ? {} : { extractor: f.extractor }),
    ...(f.metrics === undefined ? {} : { metrics: f.metrics }),
    ...(batchSize === undefined ? {} : { batchSize }),
    ...(f.backend === undefined ? {} : { backend: f.backend }),
    ...(grid === undefined ? {} : { grid }),
    ...(resize === undefined ? {} : { resize }),
    ...(f.memorization && f.referenceStats === undefined ? (f.trainSplit === undefined ? {} : { trainSplit: f.trainSplit }) : { trainSplit: false as const }),
    ...(f.referenceStats === undefined ? {} : { referenceStats: f.referenceStats }),
  };
  const report =
    f.generated === undefined
      ? await evaluate({ ...common, generator: f.generator!, n: n! })
      : await evaluateImages({ ...common, generated: f.generated, ...(n === undefined ? {} : { n }), ...(generatedRange === undefined ? {} : { generatedRange }) });
  if (f.out !== undefined) await writeReport(resolve(f.out), report);
  if (f.json) printJson(report);
  else printSummary(report, f.out);
  for (const w of report.warnings) log(`warning: ${w}`);
  if (gate !== undefined) await gate.run({ ...gate.options, candidate: report, out: f.json ? process.stderr : process.stdout });
}

/** `--baseline`: reads the baseline report and the rules now; the gate runs after the evaluation (src/cli/gate.ts). */
async function loadGate(baseline: string, rules: string | undefined) {
  const { loadRules, runGate } = await import('./gate.js');
  const { readReport } = await import('../io/report.js');
  return { run: runGate, options: { baseline: await readReport(resolve(baseline)), rules: await loadRules(rules) } };
}

/** `runs/r.json` -> `runs/r.grid.png`. */
export function defaultGridPath(out: string): string {
  const name = basename(out).replace(/\.json$/i, '');
  return join(dirname(out), `${name}.grid.png`);
}

/** --metrics help from the registry: the metrics over sample sets, and which each extractor output turns on. */
function metricsHelp(): string {
  const sets = [...METRICS.values()].filter((d) => d.input === 'features' || d.input === 'class-scores' || d.input === 'discriminator-layers');
  const on = (o: 'features' | 'class-scores' | 'discriminator') => defaultMetrics([o]).map((d) => d.id).join(', ');
  return `comma-separated: ${sets.map((d) => d.id).join(', ')} (default: ${on('features')}; plus ${on('class-scores')} with a class-score layer, ${on('discriminator')} with a discriminator)`;
}

/** The readable summary: model and reference, one line per metric, the key recipe items, timings. */
export function printSummary(r: Report, out?: string): void {
  printLine(`${r.model.name} vs ${r.dataset.name} ${r.dataset.split}: ${r.recipe.n.generated} generated / ${r.recipe.n.reference} reference images`);
  printLine(`extractor ${r.recipe.extractor.id} (weights ${r.recipe.extractor.weightsSha256.slice(0, 12)}), layer ${r.recipe.extractor.layers.features}, seed ${r.recipe.seeds.sampling}`);
  const sel = r.recipe.reference;
  if (sel !== undefined) printLine(`reference ${sel.count} of ${sel.of} rows of ${sel.split}${sel.seed === null ? '' : ` (seeded random subset, seed ${sel.seed}, rows ${sel.rowsSha256.slice(0, 12)})`}`);
  const pre = r.recipe.preprocessing;
  if (pre !== undefined) printLine(`resized ${Object.entries(pre).map(([role, p]) => `${role} to ${p?.['resize']} (${p?.['filter']})`).join(', ')}`);
  printLine(r.recipe.bootstrap === null ? 'no intervals (--no-ci)' : `ci95: ${r.recipe.bootstrap.resamples} two-sample resamples; covers ${r.recipe.bootstrap.covers ?? 'the generated set'}`);
  printLine();
  for (const [id, v] of Object.entries(r.metrics)) {
    const std = v.std !== undefined && v.std !== 0 ? ` ± ${fmt(v.std)}` : '';
    const ci = v.ci95 !== undefined ? `  ci95 [${fmt(v.ci95[0])}, ${fmt(v.ci95[1])}]` : '';
    printLine(`  ${id.padEnd(10)} ${v.value === null ? 'n/a' : fmt(v.value)}${std}${ci}`);
  }
  if (r.memorization !== undefined) printLine(r.memorization.verdict);
  printLine();
  const t = r.timings;
  printLine(
    `timings: sample ${t.sample.seconds}s, features generated ${t.featuresGenerated.seconds}s, reference ${t.featuresReference.seconds}s` +
    ` (${t.featuresReference.cached ? 'cached' : 'computed'}), metrics ${t.metrics.seconds}s` +
    `${t.referenceStats === undefined ? '' : ` (reference statistics ${t.referenceStats.seconds}s, ${t.referenceStats.cached ? 'cached' : 'computed'})`}, total ${t.total.seconds}s`,
  );
  printLine(`genbench ${r.recipe.genbench}, ${r.recipe.backend.generator}, ${r.recipe.backend.extractor}`);
  if (out !== undefined) printLine(`wrote ${resolve(out)}`);
  if (r.run.grid !== undefined) printLine(`wrote ${r.run.grid}`);
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(6) : String(x);
}
