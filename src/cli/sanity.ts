import { Command } from 'commander';
import type { SanityResult } from '../harness/sanity.js';
import { log, parseIntFlag, printJson } from './output.js';
import { stderrProgress } from './progress-bar.js';

/**
 * `genbench sanity`: the metric sanity suite (src/harness/sanity.ts). Real held-out images are corrupted at
 * increasing strength (noise, blur, dropped classes, training copies, fewer distinct images) and every metric's
 * values per strength, Spearman rho and verdict are reported: the table as JSON on stdout with --json, a readable
 * summary on stderr (always, unless --quiet).
 *
 * Default --n 256 (and as many reference images): the run extracts 8 x 256 images (held-out, reference, three noise
 * and three blur levels; the selection corruptions reuse those features), about 15 s on 2 cores when MobileNet runs
 * on onnxruntime and 3-4 minutes on tfjs wasm (~10 images/s); reruns read the feature cache.
 *
 * @example
 * genbench sanity --dataset mnist --json    # { "schema": "genbench.sanity/v1", "corruptions": [{ "id": "noise", "metrics": { "fd": { "values": [...], "spearman": 1, ... } } }, ...] }
 */
interface SanityFlags {
  dataset: string;
  split?: string;
  extractor?: string;
  n: string;
  referenceN?: string;
  metrics?: string;
  corruptions?: string;
  seed: string;
  batchSize?: string;
  backend?: string;
  json?: boolean;
  quiet?: boolean;
}

export function sanityCommand(): Command {
  return new Command('sanity')
    .description('check which metric detects which failure: corrupt real held-out images at increasing strength and watch each metric')
    .requiredOption('--dataset <name>', 'built-in dataset (mnist, pneumoniamnist, polygons, ...), image folder or .npz')
    .option('--split <expr>', 'split to draw from: reference = its first images, "generated" = its last (default test)')
    .option('--extractor <id>', 'feature extractor: mobilenet-v1-0.75 (default), mobilenet-v1-0.25, discriminator:<path>, custom:<path>')
    .option('--n <count>', 'held-out images playing "generated"', '256')
    .option('--reference-n <count>', 'reference images (default: n)')
    .option('--metrics <list>', 'comma-separated metric ids (default: all the extractor serves)')
    .option('--corruptions <list>', 'noise, blur, drop-classes, memorise, shrink-diversity (default all)')
    .option('--seed <int>', 'seed of the corruptions', '0')
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
  const batchSize = f.batchSize === undefined ? undefined : parseIntFlag('batch-size', f.batchSize, { min: 1 });
  const { sanity } = await import('../harness/sanity.js'); // tfjs loads only when needed
  const result = await sanity({
    dataset: f.dataset,
    n,
    seed,
    progress: stderrProgress({ quiet: f.quiet === true }),
    ...(f.split === undefined ? {} : { split: f.split }),
    ...(referenceN === undefined ? {} : { referenceN }),
    ...(f.extractor === undefined ? {} : { extractor: f.extractor }),
    ...(f.metrics === undefined ? {} : { metrics: f.metrics }),
    ...(f.corruptions === undefined ? {} : { corruptions: f.corruptions.split(',').map((s) => s.trim()) }),
    ...(batchSize === undefined ? {} : { batchSize }),
    ...(f.backend === undefined ? {} : { backend: f.backend }),
  });
  if (f.json) printJson(result);
  if (f.quiet !== true || !f.json) for (const line of summaryLines(result)) log(line);
}

/**
 * The readable table: one block per corruption, one line per metric with its values by strength, rho and verdict.
 *
 * @example
 * summaryLines(result)[0]; // 'sanity: mnist, 256 held-out (test[9744:10000]) vs 256 reference (test[0:256]), mobilenet-v1-0.75'
 */
export function summaryLines(r: SanityResult): string[] {
  const lines = [
    `sanity: ${r.dataset.name}, ${r.recipe.n.generated} held-out (${r.dataset.generated}) vs ${r.recipe.n.reference} reference (${r.dataset.reference}), ${r.recipe.extractor.id}`,
  ];
  for (const c of r.corruptions) {
    lines.push('', `${c.title} (${c.id}; strength = ${c.unit}: ${c.strengths.join(', ')})`);
    if (c.skipped !== undefined) {
      lines.push(`  skipped: ${c.skipped}`);
      continue;
    }
    for (const [id, t] of Object.entries(c.metrics)) {
      const values = t.values.map((v) => (v === null ? 'n/a' : v.toPrecision(4))).join(' -> ');
      const rho = t.spearman === null ? 'n/a' : t.spearman.toFixed(2);
      lines.push(`  ${id.padEnd(10)} ${values}   rho ${rho} (expect ${t.expected})  ${t.verdict}${t.monotonic ? ', monotonic' : ''}`);
    }
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines;
}
