import { Command } from 'commander';
import type { SanityResult } from '../harness/sanity.js';
import { log, parseIntFlag, printJson } from './output.js';
import { stderrProgress } from './progress-bar.js';
import { parseResizeFlags, requireResizable, resizeOptions, type ResizeFlags } from './resize-flags.js';

/**
 * `genbench sanity`: the metric sanity suite (src/harness/sanity.ts). Real held-out images are corrupted at
 * increasing strength (noise, blur, dropped classes, copies of training images, fewer distinct images), for --seeds
 * run seeds (each with its own random disjoint reference, held-out and training rows), and every metric's values
 * per strength, mean Spearman rho with an interval over the seeds (95% simultaneous over the run's verdicts) and
 * verdict (detects, inverted, no signal, uninformative) are reported: the table as JSON on stdout with --json, a
 * readable summary on stderr (always, unless --quiet).
 *
 * Default --n 256 and --seeds 5: per seed the run extracts 9 x 256 images (reference, held-out, training, three
 * noise and three blur levels; the selection corruptions reuse those features), 11,520 in all: measured 233 s with
 * mobilenet-v1-0.75 on onnxruntime on 2 shared cores at load ~4; reruns read the feature cache.
 *
 * @example
 * genbench sanity --dataset mnist --json
 * # { "schema": "genbench.sanity/v2", "corruptions": [{ "id": "noise", "metrics": { "fd": { "spearman": { "mean": 1, "ci95": [1, 1], ... }, "verdict": "detects" } } }, ...] }
 */
interface SanityFlags extends ResizeFlags {
  dataset: string;
  split?: string;
  extractor?: string;
  n: string;
  referenceN?: string;
  metrics?: string;
  corruptions?: string;
  seed: string;
  seeds: string;
  batchSize?: string;
  backend?: string;
  json?: boolean;
  quiet?: boolean;
}

export function sanityCommand(): Command {
  return resizeOptions(new Command('sanity'))
    .description('check which metric detects which failure: corrupt real held-out images at increasing strength and watch each metric')
    .requiredOption('--dataset <name>', 'built-in dataset (mnist, pneumoniamnist, polygons, ...), image folder or .npz')
    .option('--split <name>', 'split to draw the disjoint random reference, held-out and training rows from (default test, or the largest split when test is too small)')
    .option('--extractor <id>', 'feature extractor: mobilenet-v1-0.75 (default), mobilenet-v1-0.25, discriminator:<path>, custom:<path>')
    .option('--n <count>', 'held-out images playing "generated" (as many training rows are drawn for memorise)', '256')
    .option('--reference-n <count>', 'reference images (default: n)')
    .option('--metrics <list>', 'comma-separated metric ids (default: all the extractor serves)')
    .option('--corruptions <list>', 'noise, blur, drop-classes, memorise, shrink-diversity (default all)')
    .option('--seed <int>', 'base seed: the run seeds (row sets and corruptions) derive from it', '0')
    .option('--seeds <count>', 'run seeds per strength; the trend interval comes from their spread (>= 2)', '5')
    .option('--batch-size <int>', 'images per forward pass of the extractor')
    .option('--backend <name>', 'tfjs backend: node-gpu, node, wasm, cpu')
    .option('--json', 'print the table as JSON on stdout')
    .option('--quiet', 'no progress bars and no summary on stderr')
    .action(runSanity);
}

async function runSanity(f: SanityFlags): Promise<void> {
  const n = parseIntFlag('n', f.n, { min: 2 });
  const referenceN = f.referenceN === undefined ? undefined : parseIntFlag('reference-n', f.referenceN, { min: 2 });
  const seed = parseIntFlag('seed', f.seed, { min: 0, max: 0xffffffff });
  const seeds = parseIntFlag('seeds', f.seeds, { min: 2, max: 1000 });
  const batchSize = f.batchSize === undefined ? undefined : parseIntFlag('batch-size', f.batchSize, { min: 1 });
  const resize = parseResizeFlags(f);
  await requireResizable(resize, { '--dataset': { path: f.dataset, zip: false } });
  const { sanity } = await import('../harness/sanity.js'); // tfjs loads only when needed
  const result = await sanity({
    dataset: f.dataset,
    n,
    seed,
    seeds,
    progress: stderrProgress({ quiet: f.quiet === true }),
    ...(f.split === undefined ? {} : { split: f.split }),
    ...(referenceN === undefined ? {} : { referenceN }),
    ...(f.extractor === undefined ? {} : { extractor: f.extractor }),
    ...(f.metrics === undefined ? {} : { metrics: f.metrics }),
    ...(f.corruptions === undefined ? {} : { corruptions: f.corruptions.split(',').map((s) => s.trim()) }),
    ...(batchSize === undefined ? {} : { batchSize }),
    ...(f.backend === undefined ? {} : { backend: f.backend }),
    ...(resize === undefined ? {} : { resize }),
  });
  if (f.json) printJson(result);
  if (f.quiet !== true || !f.json) for (const line of summaryLines(result)) log(line);
  else for (const line of summaryLines(result).filter((l) => l.startsWith('warning:'))) log(line);
}

/**
 * The readable table: one block per corruption, one line per metric with its mean values by strength, mean rho with
 * its 95% interval over the run seeds, and the verdict; then a note per uninformative metric.
 *
 * @example
 * summaryLines(result)[0]; // 'sanity: mnist test, 5 run seeds x (256 held-out vs 256 reference, 256 training), mobilenet-v1-0.75'
 * // '  fd         16.42 -> 39.87 -> 94.22 -> 203.5   rho 1.00 [1.00, 1.00] (expect increase)  detects, monotonic'
 */
export function summaryLines(r: SanityResult): string[] {
  const { n, extractor, seeds } = r.recipe;
  const training = n.training > 0 ? `, ${n.training} training` : '';
  const lines = [`sanity: ${r.dataset.name} ${r.dataset.split}, ${seeds.length} run seeds x (${n.generated} held-out vs ${n.reference} reference${training}), ${extractor.id}`];
  for (const c of r.corruptions) {
    lines.push('', `${c.title} (${c.id}; strength = ${c.unit}: ${c.strengths.join(', ')})`);
    if (c.skipped !== undefined) {
      lines.push(`  skipped: ${c.skipped}`);
      continue;
    }
    for (const [id, t] of Object.entries(c.metrics)) {
      const values = t.values.map((v) => (v === null ? 'n/a' : v.toPrecision(4))).join(' -> ');
      const { mean, ci95 } = t.spearman;
      const rho = mean === null || ci95 === null ? 'n/a' : `${mean.toFixed(2)} [${ci95[0].toFixed(2)}, ${ci95[1].toFixed(2)}]`;
      lines.push(`  ${id.padEnd(10)} ${values}   rho ${rho} (expect ${t.expected})  ${t.verdict}${t.monotonic && t.verdict === 'detects' ? ', monotonic' : ''}`);
    }
  }
  for (const [id, why] of Object.entries(r.notes)) lines.push(`note: ${id} is uninformative here: ${why}`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines;
}
