import { resolve } from 'node:path';
import { parseValueRange } from '../data/image-set.js';
import { GenbenchError } from '../errors.js';
import type { Report } from '../io/report.js';
import { parseLayerList } from '../harness/pair-feature-matching.js';
import { defaultGridPath } from './evaluate.js';
import { checkOutputs, log, parseIntFlag, printJson, printLine } from './output.js';
import { stderrProgress } from './progress-bar.js';

/**
 * `genbench evaluate --translator T --task NAME` (or `--pairs FILE.npz|DIR`, or `--source S --target T`): scores an
 * image-to-image translator (src/harness/translate.ts) and writes the same `genbench.report/v1` report as a
 * generator run. Paired data: per-pair MSE, L1, PSNR and SSIM with their 95% intervals (pairs resampled;
 * --bootstrap, --no-ci, --seed). Unpaired data (an unpaired task, or --source and --target image sets): content
 * preservation (mean SSIM of each input and its output) and, on a task with a target-domain classifier, the share
 * of outputs it assigns to the target class (--no-classifier skips it); --source/--target data gets that share from
 * `--classifier classifier:<dataset|run folder>` with `--target-class NAME|LABEL` (harness/target-classifier.ts). Both: FD, KID, precision and recall of the
 * outputs against the target images (--extractor, default mobilenet-v1-0.75; `none` skips them), the cycle error
 * with --reverse-translator, `feature_matching` of each output and its target through a GAN discriminator's layers
 * on paired image targets (--discriminator D, --layers f1,f2; as `genbench pixel --discriminator`), a PNG grid (--grid, default beside --out). `--pairs-range LO,HI` states the value
 * range of float arrays; `--labels N` says the targets of --pairs are label maps (scored by Dice). Flags of generator runs that do not apply (a dataset, --n, --metrics, ...) are usage
 * errors.
 *
 * @example
 * genbench evaluate --translator t1-bet.onnx --task colin27-t1-bet --out r.json   # wrote r.json and r.grid.png
 * genbench evaluate --translator n2p.onnx --task pneumonia-normal-to-pneumonia --reverse-translator p2n.onnx
 * genbench evaluate --translator t.onnx --pairs P.npz --discriminator d.onnx  # ... feature_matching 0.0412  ci95 [0.0371, 0.0455]
 * genbench evaluate --translator t.onnx --source a/ --target b/ --json           # { "schema": "genbench.report/v1", ... }
 * genbench evaluate --translator t.onnx --source a/ --target b/ --classifier classifier:mnist --target-class 7   # target_share 0.41 ...
 */
export interface TranslatorFlags {
  translator?: string;
  task?: string;
  pairs?: string;
  pairsRange?: string;
  labels?: string;
  source?: string;
  target?: string;
  reverseTranslator?: string;
  /** A classifier id (--classifier), false (--no-classifier), or undefined: the task's own. */
  classifier?: string | false;
  targetClass?: string;
  discriminator?: string;
  layers?: string;
  split?: string;
  seed: string;
  bootstrap: string;
  ci: boolean;
  batchSize?: string;
  extractor?: string;
  out?: string;
  grid?: string;
  json?: boolean;
  quiet?: boolean;
}

/** Generator-run flags a translator run refuses (they would be silently ignored otherwise). */
const NOT_FOR_TRANSLATORS: readonly (readonly [string, string])[] = [
  ['generator', '--generator'],
  ['generated', '--generated'],
  ['generatedRange', '--generated-range'],
  ['dataset', '--dataset'],
  ['n', '--n'],
  ['referenceN', '--reference-n'],
  ['referenceSeed', '--reference-seed'],
  ['referenceStats', '--reference-stats'],
  ['metrics', '--metrics'],
  ['trainSplit', '--train-split'],
  ['baseline', '--baseline'],
  ['rules', '--rules'],
  ['backend', '--backend'],
  ['resize', '--resize'],
];

export async function runTranslatorEvaluate(f: TranslatorFlags & Record<string, unknown>): Promise<void> {
  const data = [['--task', f.task], ['--pairs', f.pairs], ['--source', f.source], ['--target', f.target]].filter(([, v]) => v !== undefined).map(([k]) => k!);
  if (f.translator === undefined) throw new GenbenchError('USAGE', `${data[0] ?? '--reverse-translator'}: give the --translator CHECKPOINT to score`);
  if ((f.source === undefined) !== (f.target === undefined)) throw new GenbenchError('USAGE', `${f.source === undefined ? '--target' : '--source'}: give --source IMAGES and --target IMAGES together (the two domains of unpaired data)`);
  const kinds = (f.task === undefined ? 0 : 1) + (f.pairs === undefined ? 0 : 1) + (f.source === undefined ? 0 : 1);
  if (kinds !== 1) throw new GenbenchError('USAGE', '--translator: give one of --task NAME (a built-in task or a task spec .json), --pairs FILE.npz|DIR, or --source IMAGES --target IMAGES');
  for (const [key, flag] of NOT_FOR_TRANSLATORS) {
    if (f[key] !== undefined) throw new GenbenchError('USAGE', `${flag} does not apply to --translator (a translator is scored on its --task, --pairs or --source/--target)`);
  }
  if (f.pairsRange !== undefined && f.task !== undefined) throw new GenbenchError('USAGE', '--pairs-range: only for float arrays given with --pairs or --source/--target');
  const pairsRange = f.pairsRange === undefined ? undefined : parseValueRange(f.pairsRange, '--pairs-range');
  if (f.labels !== undefined && f.pairs === undefined) throw new GenbenchError('USAGE', '--labels: only for --pairs (a task says itself whether its targets are labels)');
  if (typeof f.classifier === 'string' && f.source === undefined) throw new GenbenchError('USAGE', `--classifier: only for --source/--target data (${f.task === undefined ? 'paired data has no target-domain classifier' : 'a task names its own classifier; --no-classifier skips it'})`);
  const layers = f.layers === undefined ? undefined : parseLayerList(f.layers);
  const labels = f.labels === undefined ? undefined : parseIntFlag('labels', f.labels, { min: 1, max: 255 });
  const seed = parseIntFlag('seed', f.seed, { min: 0, max: 0xffffffff });
  const bootstrap = f.ci ? parseIntFlag('bootstrap', f.bootstrap, { min: 0 }) : 0;
  if (bootstrap === 1) throw new GenbenchError('USAGE', '--bootstrap: give 0 (no intervals) or at least 2 resamples, e.g. 200');
  const batchSize = f.batchSize === undefined ? undefined : parseIntFlag('batch-size', f.batchSize, { min: 1 });
  const grid = f.grid ?? (f.out === undefined ? undefined : defaultGridPath(f.out));
  await checkOutputs({ '--out': f.out, '--grid': grid });
  const { evaluateTranslation } = await import('../harness/translate.js');
  const { writeReport } = await import('../io/report.js');
  const offline = process.env['GENBENCH_OFFLINE'] === '1';
  const report = await evaluateTranslation({
    translator: f.translator,
    ...(f.task === undefined ? {} : { task: f.task }),
    ...(f.pairs === undefined ? {} : { pairs: f.pairs }),
    ...(f.source === undefined ? {} : { source: f.source }),
    ...(f.target === undefined ? {} : { target: f.target }),
    ...(f.reverseTranslator === undefined ? {} : { reverseTranslator: f.reverseTranslator }),
    ...(f.classifier === undefined ? {} : { classifier: f.classifier }),
    ...(f.targetClass === undefined ? {} : { targetClass: f.targetClass }),
    ...(f.discriminator === undefined ? {} : { discriminator: f.discriminator }),
    ...(layers === undefined ? {} : { layers }),
    ...(pairsRange === undefined ? {} : { pairsRange }),
    ...(labels === undefined ? {} : { labels }),
    ...(f.split === undefined ? {} : { split: f.split }),
    ...(batchSize === undefined ? {} : { batchSize }),
    ...(f.extractor === undefined ? {} : { extractor: f.extractor }),
    ...(grid === undefined ? {} : { grid }),
    ...(offline ? { offline } : {}),
    seed,
    bootstrap,
    progress: stderrProgress({ quiet: f.quiet === true }),
  });
  if (f.out !== undefined) await writeReport(resolve(f.out), report);
  if (f.json) printJson(report);
  else printTranslationSummary(report, f.out);
  for (const w of report.warnings) log(`warning: ${w}`);
}

/** The readable summary: translator and pairs, one line per metric with its interval, what was written. */
function printTranslationSummary(r: Report, out: string | undefined): void {
  const unpaired = r.recipe.params['translation']?.['mode'] === 'unpaired';
  printLine(`${r.model.name} on ${r.dataset.name} ${r.dataset.split}: ${unpaired ? `${r.recipe.n.generated} source -> ${r.recipe.n.reference} target images (unpaired)` : `${r.dataset.count} pairs`}`);
  printLine(r.recipe.bootstrap === null ? 'no intervals (--no-ci)' : `ci95: ${r.recipe.bootstrap.resamples} resamples, seed ${r.recipe.seeds.bootstrap}; covers: ${r.recipe.bootstrap.covers ?? 'the pairs'}`);
  printLine();
  for (const [id, v] of Object.entries(r.metrics)) {
    const ci = v.ci95 !== undefined ? `  ci95 [${fmt(v.ci95[0])}, ${fmt(v.ci95[1])}]` : '';
    printLine(`  ${id.padEnd(12)} ${v.value === null ? 'n/a' : fmt(v.value)}${ci}`);
  }
  printLine();
  const fx = r.recipe.extractor.id === 'none' ? '' : `, features ${Math.round((r.timings.featuresGenerated.seconds + r.timings.featuresReference.seconds) * 1000) / 1000}s (${r.recipe.extractor.id}; targets ${r.timings.featuresReference.cached ? 'cached' : 'computed'})`;
  printLine(`timings: translate ${r.timings.sample.seconds}s${fx}, metrics ${r.timings.metrics.seconds}s, total ${r.timings.total.seconds}s; ${r.recipe.backend.generator}`);
  if (out !== undefined) printLine(`wrote ${resolve(out)}`);
  if (r.run.grid !== undefined) printLine(`wrote ${r.run.grid}`);
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(6) : String(x);
}
