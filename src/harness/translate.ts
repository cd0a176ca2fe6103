import { basename } from 'node:path';
import { BOOTSTRAP_DEFAULTS } from '../../metrics/bootstrap.js';
import type { ImageStack, MetricParams } from '../../metrics/types.js';
import { openPairs, type PairedDataset, type PairedSplit } from '../data/paired.js';
import { openTranslationTask, type TranslationTask } from '../data/paired-tasks.js';
import { openUnpaired, type DomainClassifier } from '../data/unpaired.js';
import { GenbenchError } from '../errors.js';
import { layerInfo, type FeatureExtractor } from '../features/types.js';
import type { ValueRange } from '../io/image.js';
import type { Report } from '../io/report.js';
import { loadTranslator, type Translator } from '../models/translator.js';
import type { Progress } from '../progress.js';
import type { MetricEntryValue } from './run-metrics.js';
import type { TranslationFeatures } from './translate-features.js';
import { checkDiscriminatorInput, featureMatchingOnPairs, openDiscriminator, type FeatureMatchingRecipe } from './pair-feature-matching.js';
import { asLabelPairs, diceEntry } from './translate-dice.js';
import { translationReport } from './translate-report.js';
import { asPairImages, asStack, checkReverse, cycleError, featureMetrics, loadAndTranslate, pixelGroup, since, writeTiles, type TranslationRun } from './translate-steps.js';
import { userDomainClassifier } from './target-classifier.js';
import { evaluateUnpaired } from './translate-unpaired.js';

/**
 * `evaluateTranslation()`: data -> translator -> metrics -> report, for paired and unpaired data.
 *
 * Paired (`task`: a built-in paired task or a volume task spec; `pairs`: an .npz or a folder, data/paired.ts): the
 * sources are mapped linearly from their data range to the translator's input range, translated in batches, and the
 * outputs mapped from the output range back to the data range; against uint8 targets the outputs are then quantised
 * to uint8 (round-half-even, as the targets are), against float targets they stay float. MSE, L1, PSNR and SSIM per
 * pair and their means (metrics/pixel.ts, data range = the width of the pairs' range), with the pair bootstrap's 95%
 * intervals (pairs resampled as pairs, as `genbench pixel` does). FD, KID, precision and recall of the outputs
 * against the targets through the feature extractor (translate-features.ts: default mobilenet-v1-0.75, the targets'
 * features cached; `extractor: 'none'` skips them, and so do sets too small for them, with a warning). With a
 * `discriminator`, `feature_matching` of each output and its target through its `layers` (pair-feature-matching.ts,
 * as `genbench pixel --discriminator` with --range the pairs' data range; the pair bootstrap's interval); the
 * discriminator must take the outputs' shape, and it is refused on label-map targets and on unpaired data. The grid
 * shows input | output | target triplets of the first 16 pairs. Pairs whose targets are label maps (a volume task
 * with a `labels` window, e.g. colin27-t1-aal) are scored by Dice per label and their mean instead
 * (translate-dice.ts), with the slice bootstrap's interval, and ranked by the mean Dice.
 *
 * Unpaired (`task`: a built-in unpaired task; `source` + `target`: two image sets): translate-unpaired.ts (features
 * against the target domain, content preservation, the target-domain classifier: a task's own, or for two image
 * sets the one `classifier` and `targetClass` name).
 *
 * Either way, `reverseTranslator` (a translator from the target domain back to the source domain) adds the cycle
 * error: the mean L1 of B(A(x)) - x (translate-steps.ts cycleError). The report is `genbench.report/v1`
 * (translate-report.ts); without features recipe.extractor is `none` (weights: the sha256 of zero bytes) and the
 * feature timings are zero.
 *
 * @example
 * const r = await evaluateTranslation({ translator: 't1-bet.onnx', task: 'colin27-t1-bet' });
 * r.metrics['ssim']; // { value: 0.91, ci95: [0.89, 0.93], perPair: [...] }
 */
export interface TranslationOptions {
  /** Translator checkpoint (opened and disposed here) or a loaded one. */
  readonly translator: string | Translator;
  /** A built-in task (paired or unpaired) or a volume task spec (.json). */
  readonly task?: string;
  /** An .npz with arrays source and target, or a folder with source/ and target/. */
  readonly pairs?: string;
  /** Unpaired data: images of the source domain (a folder, .zip, .npy or .npz, as data/image-set.ts reads them). */
  readonly source?: string;
  /** Unpaired data: images of the target domain. */
  readonly target?: string;
  /** Value range of float pairs or float source/target arrays (uint8 data is 0..255). */
  readonly pairsRange?: ValueRange;
  /** --pairs whose targets are label maps with labels 1..labels (0 background): scored by Dice (a task says so itself). */
  readonly labels?: number;
  /** Split expression; default a task's `test`, else `all`. */
  readonly split?: string;
  /** A translator from the target domain back to the source domain: adds the cycle error. */
  readonly reverseTranslator?: string | Translator;
  /** Bootstrap seed (default 0). */
  readonly seed?: number;
  /** Bootstrap resamples (default 200; 0: no intervals). */
  readonly bootstrap?: number;
  readonly batchSize?: number;
  /** Feature extractor for FD, KID, precision and recall (an id, an open one, or 'none'); default mobilenet-v1-0.75. */
  readonly extractor?: string | FeatureExtractor;
  /**
   * Unpaired tasks: the target-domain classifier (an id or an open extractor with class scores); default the task's
   * own (pneumonia-normal-to-pneumonia: classifier:pneumoniamnist, trained once on first use); false skips it.
   */
  readonly classifier?: string | FeatureExtractor | false;
  /**
   * User unpaired data (`source` + `target`): the class of the target domain, a class name or a label of
   * `classifier` (which it needs): adds `target_share` as on a task with its own classifier (target-classifier.ts).
   */
  readonly targetClass?: string | number;
  /**
   * Paired data: a GAN discriminator (its checkpoint or manifest, or an open `discriminator:` extractor) whose
   * input shape is the outputs': adds `feature_matching`, the per-pair feature-matching distance of outputs and targets.
   */
  readonly discriminator?: string | FeatureExtractor;
  /** The discriminator's layers for feature_matching (default: every output its manifest names). */
  readonly layers?: readonly string[];
  /** Feature cache folder (default GENBENCH_HOME/features). */
  readonly cacheDir?: string;
  /** Where to write the PNG grid (input | output | target; unpaired: input | output, and the reconstruction with a reverse translator). */
  readonly grid?: string;
  readonly offline?: boolean;
  readonly progress?: Progress;
}

const PIXEL_METRICS = ['mse', 'l1', 'psnr', 'ssim'] as const;

export async function evaluateTranslation(opts: TranslationOptions): Promise<Report> {
  const given = [opts.task, opts.pairs, opts.source ?? opts.target].filter((v) => v !== undefined).length;
  if (given !== 1) throw new GenbenchError('USAGE', 'give one of --task NAME, --pairs FILE.npz|DIR, or --source IMAGES with --target IMAGES');
  if ((opts.source === undefined) !== (opts.target === undefined)) throw new GenbenchError('USAGE', `${opts.source === undefined ? '--target' : '--source'}: give --source IMAGES and --target IMAGES together (the two domains of unpaired data)`);
  if (opts.targetClass !== undefined && opts.source === undefined) throw new GenbenchError('USAGE', '--target-class: only for --source/--target data (a task names its own classifier and target class)');
  const resamples = opts.bootstrap ?? BOOTSTRAP_DEFAULTS.resamples;
  if (!Number.isInteger(resamples) || resamples < 0 || resamples === 1) throw new GenbenchError('USAGE', '--bootstrap: give 0 (no intervals) or at least 2 resamples, e.g. 200');
  checkDiscriminatorOptions(opts);
  const started = performance.now();
  const data = await openData(opts);
  if (data.kind === 'unpaired' && opts.discriminator !== undefined) throw new GenbenchError('USAGE', `--discriminator: task ${data.task.name} is unpaired: there are no pairs to compare through the discriminator`);
  const t = typeof opts.translator === 'string' ? await loadTranslator(opts.translator) : opts.translator;
  let r: Translator | undefined;
  let disc: FeatureExtractor | undefined;
  try {
    if (opts.task !== undefined && t.manifest.task !== undefined && t.manifest.task !== data.task.name) {
      throw new GenbenchError('INPUT', `${t.manifestPath}: field 'task' is '${t.manifest.task}' but the task evaluated is '${data.task.name}'; evaluate it on its own task (or on --pairs)`);
    }
    r = typeof opts.reverseTranslator === 'string' ? await loadTranslator(opts.reverseTranslator) : opts.reverseTranslator;
    if (r !== undefined) checkReverse(r, t);
    disc = typeof opts.discriminator === 'string' ? await openDiscriminator(opts.discriminator) : opts.discriminator;
    if (disc !== undefined) {
      checkDiscriminatorInput(disc, t.outputShape, `the outputs of ${t.manifest.name}`);
      for (const name of opts.layers ?? []) layerInfo(disc, name); // an unknown layer fails before any image is translated
    }
    const run = { t, ...(r === undefined ? {} : { reverse: r }), resamples, seed: opts.seed ?? 0, started, opts };
    return data.kind === 'unpaired' ? await evaluateUnpaired({ ...run, task: data.task }) : await evaluatePaired({ ...run, ds: data.task, disc });
  } finally {
    if (typeof opts.translator === 'string') t.dispose();
    if (typeof opts.reverseTranslator === 'string') r?.dispose();
    if (typeof opts.discriminator === 'string') await disc?.dispose();
  }
}

/** `discriminator` and `layers` before any data is read: layers need a discriminator, which needs image pairs. */
function checkDiscriminatorOptions(opts: TranslationOptions): void {
  if (opts.layers !== undefined && opts.discriminator === undefined) throw new GenbenchError('USAGE', '--layers: give --discriminator too (layers are its outputs)');
  if (opts.discriminator === undefined) return;
  if (opts.source !== undefined) throw new GenbenchError('USAGE', '--discriminator: --source/--target images are unpaired: there are no pairs to compare through the discriminator (give --pairs or a paired --task)');
  if (opts.labels !== undefined) throw new GenbenchError('USAGE', '--discriminator: with --labels the targets are label maps, scored by Dice; feature matching compares images, not label codes');
}

async function openData(opts: TranslationOptions): Promise<TranslationTask> {
  const range = opts.pairsRange === undefined ? {} : { range: opts.pairsRange };
  if (opts.task !== undefined) return openTranslationTask(opts.task);
  if (opts.pairs !== undefined) {
    const pairs = await openPairs(opts.pairs, range);
    return { kind: 'paired', task: opts.labels === undefined ? pairs : asLabelPairs(pairs, opts.labels) };
  }
  const classifier = await userClassifier(opts);
  const task = await openUnpaired(opts.source!, opts.target!, { ...range, rangeFlag: '--pairs-range' });
  return { kind: 'unpaired', task: classifier === undefined ? task : { ...task, classifier } };
}

/** The target-domain classifier of user unpaired data, when `classifier` and `targetClass` name one. */
async function userClassifier(opts: TranslationOptions): Promise<DomainClassifier | undefined> {
  const given = opts.classifier === false ? undefined : opts.classifier;
  if (given === undefined && opts.targetClass === undefined) return undefined;
  if (given === undefined) throw new GenbenchError('USAGE', '--target-class: give it with --classifier classifier:<dataset> (the classifier whose class it names)');
  if (opts.targetClass === undefined) throw new GenbenchError('USAGE', `--classifier ${typeof given === 'string' ? given : given.id}: give --target-class too (the target domain's class: a class name or a label)`);
  return userDomainClassifier(given, opts.targetClass);
}

async function evaluatePaired(run: TranslationRun & { ds: PairedDataset; disc: FeatureExtractor | undefined }): Promise<Report> {
  const { ds, opts, resamples, seed } = run;
  const start = await loadAndTranslate(run, ds, 'the outputs are compared with the targets pixel for pixel');
  const { split: pairs, output, prog } = start;
  if (pairs.segmentation !== undefined && run.disc !== undefined) throw new GenbenchError('USAGE', `--discriminator: the targets of ${ds.name} are label maps, scored by Dice; feature matching compares images, not label codes`);
  if (pairs.segmentation !== undefined) return evaluateSegmentation({ ...run, ds, pairs, output, translateSeconds: start.translateSeconds, labels: pairs.segmentation.labels });
  let translateSeconds = start.translateSeconds;
  const clock = performance.now();
  const { results, params } = await pixelGroup({ generated: output, reference: asStack(pairs.target) }, pairs.target.range[1] - pairs.target.range[0], { resamples, seed, ...prog });
  const metrics: Record<string, MetricEntryValue> = {};
  for (const id of PIXEL_METRICS) metrics[id] = results[id]! as MetricEntryValue;
  const fm = run.disc === undefined ? undefined : await outputFeatureMatching(run.disc, output, pairs.target, run);
  if (fm !== undefined) metrics['feature_matching'] = fm.value as MetricEntryValue;
  const features = await featureMetrics(opts, output, pairs.target, resamples, seed);
  Object.assign(metrics, features?.metrics ?? {});
  let cycle: Record<string, string | number> | undefined;
  if (run.reverse !== undefined) {
    const c = performance.now();
    const r = await cycleError(run.reverse, output, pairs.target.range, pairs.source, { resamples, seed, ...prog });
    metrics['cycle_l1'] = r.entry;
    cycle = r.params;
    translateSeconds += since(c);
  }
  const metricsSeconds = since(clock);
  if (opts.grid !== undefined) await writeTiles(opts.grid, [pairs.source, asPairImages(output, pairs.target.range), pairs.target]);
  return report({ ...run, ds, pairs, metrics, params, features, cycle, ...(fm === undefined ? {} : { featureMatching: fm.recipe }), seconds: { translate: translateSeconds, metrics: metricsSeconds, total: since(run.started) } });
}

/** feature_matching of the outputs against their targets, in the targets' data range, with the pair bootstrap's interval. */
function outputFeatureMatching(disc: FeatureExtractor, output: ImageStack, target: PairedSplit['target'], run: TranslationRun) {
  const { opts, resamples, seed } = run;
  return featureMatchingOnPairs({
    generated: output,
    reference: asStack(target),
    range: target.range,
    discriminator: disc,
    ...(opts.layers === undefined ? {} : { layers: opts.layers }),
    ...(resamples > 0 ? { bootstrap: { resamples, seed } } : {}),
    ...(opts.progress === undefined ? {} : { progress: opts.progress }),
  });
}

/**
 * A paired run whose targets are label maps: the outputs (in the targets' 0..255 scale, rounded half to even) are
 * labels, scored by Dice per label and their mean (translate-dice.ts) with the slice bootstrap's interval, ranked by
 * the mean Dice. PSNR, SSIM and the feature metrics are not computed: label values are codes, not intensities.
 */
async function evaluateSegmentation(run: TranslationRun & { ds: PairedDataset; pairs: PairedSplit; output: ImageStack; translateSeconds: number; labels: number }): Promise<Report> {
  const { pairs, output, opts, resamples, seed } = run;
  const clock = performance.now();
  const size = output.height * output.width * output.channels;
  const maps = { output: { n: output.n, size, data: output.data }, target: { n: pairs.target.n, size, data: pairs.target.data } };
  const dice = await diceEntry(maps, run.labels, { resamples, seed, ...(opts.progress ? { progress: opts.progress } : {}) });
  const metricsSeconds = since(clock);
  if (opts.grid !== undefined) await writeTiles(opts.grid, [pairs.source, asPairImages(output, pairs.target.range), pairs.target], { labels: [false, true, true] });
  const params: MetricParams = {
    labels: run.labels,
    background: 0,
    outputLabels: "the output in the targets' 0..255 scale, rounded half to even: its value is the label",
    dice: '2 |O_k & T_k| / (|O_k| + |T_k|) per label k, pixel counts pooled over the slices',
    mean: 'over the labels k >= 1 present in the target or the output',
  };
  const skipped = opts.extractor !== undefined && opts.extractor !== 'none' ? ['the targets are label maps: feature metrics (FD, KID, precision, recall) are not computed, --extractor is ignored'] : [];
  return report({ ...run, metrics: { dice }, params, features: undefined, cycle: undefined, seconds: { translate: run.translateSeconds, metrics: metricsSeconds, total: since(run.started) }, segmentation: { skipped } });
}

interface ReportFacts extends TranslationRun {
  readonly ds: PairedDataset;
  readonly pairs: PairedSplit;
  readonly metrics: Record<string, MetricEntryValue>;
  readonly params: MetricParams;
  readonly features: TranslationFeatures | undefined;
  readonly cycle: Record<string, string | number> | undefined;
  readonly featureMatching?: FeatureMatchingRecipe;
  readonly seconds: { readonly translate: number; readonly metrics: number; readonly total: number };
  /** Set for label-map targets: Dice instead of the pixel metrics, with the warnings of that run. */
  readonly segmentation?: { readonly skipped: readonly string[] };
}

/** The paired run's report: pixel metrics ranked by SSIM, the feature metrics and the cycle error beside them. */
function report(f: ReportFacts): Report {
  const { pairs, metrics, opts } = f;
  const n = pairs.source.n;
  const identical = ((metrics['psnr'] as { perPair?: number[] } | undefined)?.perPair ?? []).filter((v) => v === Infinity).length;
  const warnings = [
    ...(n < 30 ? [`only ${n} pairs: ${f.resamples > 0 ? 'the intervals are wide and' : 'the means'} rest on few pairs`] : []),
    ...(identical > 0 ? [`${identical} of ${n} outputs equal their targets exactly: their PSNR is +Infinity, and so is the mean PSNR`] : []),
    ...(f.segmentation?.skipped ?? []),
  ];
  const seg = f.segmentation !== undefined;
  return translationReport({
    t: f.t,
    ...(f.reverse === undefined ? {} : { reverse: f.reverse }),
    mode: 'paired',
    data: opts.task !== undefined ? `task ${f.ds.name}` : `pairs ${basename(f.ds.name)}`,
    name: f.ds.name,
    split: pairs.split,
    source: pairs.source,
    target: pairs.target,
    files: pairs.files,
    ...(pairs.preprocessing === undefined ? {} : { loading: pairs.preprocessing }),
    metrics,
    params: { [seg ? 'segmentation' : 'pixel']: { ...f.params }, ...(f.cycle === undefined ? {} : { cycle: f.cycle }) },
    ...(f.features === undefined ? {} : { features: f.features }),
    ...(f.featureMatching === undefined ? {} : { featureMatching: f.featureMatching }),
    resamples: f.resamples,
    seed: f.seed,
    covers: seg ? 'sampling of the slices (resampled as pairs; Dice recomputed from the pooled counts)' : 'sampling of the pairs (resampled as pairs)',
    rankedBy: seg ? 'dice' : 'ssim',
    warnings,
    seconds: f.seconds,
    ...(opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }),
    ...(opts.grid === undefined ? {} : { grid: opts.grid }),
  });
}
