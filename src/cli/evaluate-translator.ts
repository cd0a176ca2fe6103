import { resolve } from 'node:path';
import { parseValueRange } from '../data/image-set.js';
import { GenbenchError } from '../errors.js';
import type { Report } from '../io/report.js';
import { defaultGridPath } from './evaluate.js';
import { checkOutputs, log, parseIntFlag, printJson, printLine } from './output.js';
import { stderrProgress } from './progress-bar.js';

/**
 * `genbench evaluate --translator T --task NAME` (or `--pairs FILE.npz|DIR`): scores an image-to-image translator
 * on paired data (src/harness/translate.ts) and writes the same `genbench.report/v1` report as a generator run:
 * per-pair MSE, L1, PSNR and SSIM with their 95% intervals (pairs resampled; --bootstrap, --no-ci, --seed), FD,
 * KID, precision and recall of the outputs against the targets (--extractor, default mobilenet-v1-0.75; `none`
 * skips them), a PNG grid of input | output | target triplets (--grid, default beside --out). `--pairs-range LO,HI` states the
 * value range of float pairs. Flags of generator runs that do not apply (a dataset, --n, an extractor, ...) are
 * usage errors.
 *
 * @example
 * genbench evaluate --translator t1-bet.onnx --task colin27-t1-bet --out r.json   # wrote r.json and r.grid.png
 * genbench evaluate --translator t.onnx --pairs pairs.npz --json                  # { "schema": "genbench.report/v1", ... }
 */
export interface TranslatorFlags {
  translator?: string;
  task?: string;
  pairs?: string;
  pairsRange?: string;
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
  ['metrics', '--metrics'],
  ['trainSplit', '--train-split'],
  ['baseline', '--baseline'],
  ['rules', '--rules'],
  ['backend', '--backend'],
  ['resize', '--resize'],
];

export async function runTranslatorEvaluate(f: TranslatorFlags & Record<string, unknown>): Promise<void> {
  if (f.translator === undefined) throw new GenbenchError('USAGE', `${f.task !== undefined ? '--task' : '--pairs'}: give the --translator CHECKPOINT to score on it`);
  if ((f.task === undefined) === (f.pairs === undefined)) throw new GenbenchError('USAGE', '--translator: give --task NAME (a built-in task or a task spec .json) or --pairs FILE.npz|DIR, not both');
  for (const [key, flag] of NOT_FOR_TRANSLATORS) {
    if (f[key] !== undefined) throw new GenbenchError('USAGE', `${flag} does not apply to --translator (a translator is scored on its --task or --pairs)`);
  }
  if (f.pairsRange !== undefined && f.pairs === undefined) throw new GenbenchError('USAGE', '--pairs-range: only for float arrays given with --pairs');
  const pairsRange = f.pairsRange === undefined ? undefined : parseValueRange(f.pairsRange, '--pairs-range');
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
    ...(pairsRange === undefined ? {} : { pairsRange }),
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
  printLine(`${r.model.name} on ${r.dataset.name} ${r.dataset.split}: ${r.dataset.count} pairs`);
  printLine(r.recipe.bootstrap === null ? 'no intervals (--no-ci)' : `ci95: ${r.recipe.bootstrap.resamples} resamples, seed ${r.recipe.seeds.bootstrap}; covers the ${r.recipe.bootstrap.covers ?? 'pairs'}`);
  printLine();
  for (const [id, v] of Object.entries(r.metrics)) {
    const ci = v.ci95 !== undefined ? `  ci95 [${fmt(v.ci95[0])}, ${fmt(v.ci95[1])}]` : '';
    printLine(`  ${id.padEnd(9)} ${v.value === null ? 'n/a' : fmt(v.value)}${ci}`);
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
