import { Command } from 'commander';
import { GenbenchError } from '../errors.js';
import { toFeatureMatrix, type Matrix } from '../linalg/matrix.js';
import { createNearestNeighbors, exactMaxThreshold } from '../nn/index.js';
import { checkMetric } from '../nn/common.js';
import { VERSION } from '../version.js';
import { readNpyHeader } from '../io/npy.js';
import { loadNpyInput, type InputRecord } from './metrics.js';
import { parseIntFlag, printJson, printLine } from './output.js';
import { stderrProgress } from './progress-bar.js';

/**
 * `genbench nn`: the k nearest training rows of every query row, from feature files.
 *   genbench nn --train T.npy --query Q.npy --k 10 [--metric l2|cosine] [--exact | --hnsw [--ef N] [--m N] [--project D]] [--json]
 * Output: `{ "indices": [[...]], "distances": [[...]], "recipe": {...} }`, indices 0-based training rows nearest
 * first, distances Euclidean (not squared) or 1 - cos. Without --exact the method is chosen by size (exact up to
 * GENBENCH_NN_EXACT_MAX training rows, HNSW above; the recipe says which). Bad input exits 2 with one line.
 *
 * @example
 * genbench nn --train real.npy --query fake.npy --k 3 --json   # { "indices": [[812, 4, 77], ...], "distances": [[0.031, 1.92, 2.04], ...], "recipe": {...} }
 */
interface NnFlags {
  train?: string;
  query?: string;
  k?: string;
  metric?: string;
  exact?: boolean;
  hnsw?: boolean;
  ef?: string;
  m?: string;
  project?: string;
  json?: boolean;
  quiet?: boolean;
}

export function nnCommand(): Command {
  return new Command('nn')
    .description('k nearest training rows of each query row (.npy [rows, features]), exact or HNSW')
    .option('--train <file.npy>', 'training features [N, d] (float16/32/64)')
    .option('--query <file.npy>', 'query features [M, d]')
    .option('--k <k>', 'neighbours per query row (default 10)')
    .option('--metric <name>', "'l2' (Euclidean, default) or 'cosine' (1 - cos)")
    .option('--exact', 'force exact search (default: exact up to GENBENCH_NN_EXACT_MAX training rows, else HNSW)')
    .option('--hnsw', 'force the HNSW index (cached under GENBENCH_HOME/nn-index)')
    .option('--ef <n>', 'HNSW search beam width (default 80; larger: better recall, slower)')
    .option('--m <n>', 'HNSW graph degree M (default 48; part of the index cache key)')
    .option('--project <dims>', 'HNSW: dimensions of the PCA projection the index is built on (default 64 for rows with > 128 features; 0: none)')
    .option('--json', 'machine-readable output on stdout')
    .option('--quiet', 'no progress bar')
    .action(runNn);
}

async function runNn(f: NnFlags): Promise<void> {
  if (f.train === undefined || f.query === undefined) throw new GenbenchError('USAGE', 'give --train T.npy and --query Q.npy (feature matrices [rows, features])');
  if (f.exact === true && f.hnsw === true) throw new GenbenchError('USAGE', 'give either --exact or --hnsw, not both');
  const k = parseIntFlag('k', f.k ?? '10', { min: 1 });
  const metric = checkMetric(f.metric ?? 'l2');
  // both headers first: a width mismatch fails before either file's data is read
  const [th, qh] = [await rowsHeader(f.train), await rowsHeader(f.query)];
  if (th.shape[1] !== qh.shape[1]) {
    throw new GenbenchError('INPUT', `${f.query} has ${qh.shape[1]} features per row but ${f.train} has ${th.shape[1]}; extract both with the same feature extractor`);
  }
  const train = await loadMatrix(f.train);
  const query = await loadMatrix(f.query);
  if (k > train.m.rows) throw new GenbenchError('USAGE', `--k ${k} is larger than the ${train.m.rows} rows of ${f.train}; use --k ${train.m.rows} or less`);
  const progress = stderrProgress({ quiet: f.quiet === true || f.json === true });
  const method = f.exact === true ? 'exact' : f.hnsw === true ? 'hnsw' : 'auto';
  const hnsw = {
    ...(f.ef === undefined ? {} : { ef: parseIntFlag('ef', f.ef, { min: 1 }) }),
    ...(f.m === undefined ? {} : { m: parseIntFlag('m', f.m, { min: 2 }) }),
    ...(f.project === undefined ? {} : { project: parseIntFlag('project', f.project, { min: 0, max: train.m.cols - 1 }) }),
  };
  if (f.exact === true && Object.keys(hnsw).length > 0) throw new GenbenchError('USAGE', '--ef, --m and --project tune the HNSW index; drop them with --exact');
  const nn = await createNearestNeighbors(train.m, { metric, method, progress, ...hnsw, ...(method === 'auto' ? { exactMax: exactMaxThreshold() } : {}) });
  try {
    const r = await nn.search(query.m, k, { progress });
    const recipe = { genbench: VERSION, command: 'nn', k, ...nn.recipe, inputs: { train: train.record, query: query.record } };
    if (f.json) return printJson({ indices: r.indices.map((x) => [...x]), distances: r.distances.map((x) => [...x]), recipe });
    printLine(`${nn.kind} search, metric ${metric}, k ${k}: ${query.m.rows} queries against ${train.m.rows} training rows`);
    r.indices.forEach((idx, i) => printLine(`${i}: ${[...idx].map((j, t) => `${j} (${r.distances[i]![t]!.toPrecision(6)})`).join(' ')}`));
  } finally {
    await nn.dispose();
  }
}

/** A [rows, features] float header; one row is enough here (a single query or training row). */
async function rowsHeader(path: string) {
  const h = await readNpyHeader(path);
  if (h.count === 0) throw new GenbenchError('INPUT', `${path}: the array is empty (shape (${h.shape.join(', ')}))`);
  if (!h.dtype.startsWith('float')) throw new GenbenchError('INPUT', `${path}: dtype ${h.dtype} is not a feature dtype; save float16, float32 or float64 values`);
  if (h.shape.length !== 2) throw new GenbenchError('INPUT', `${path}: expected a 2-D array [rows, features], got shape (${h.shape.join(', ')})`);
  return h;
}

async function loadMatrix(path: string): Promise<{ m: Matrix; record: InputRecord }> {
  const { array, record } = await loadNpyInput(path);
  if (!array.dtype.startsWith('float')) throw new GenbenchError('INPUT', `${path}: dtype ${array.dtype} is not a feature dtype; save float16, float32 or float64 values`);
  if (array.shape.length !== 2) throw new GenbenchError('INPUT', `${path}: expected a 2-D array [rows, features], got shape (${array.shape.join(', ')})`);
  const [rows, cols] = array.shape as [number, number];
  return { m: toFeatureMatrix(array.data, rows, cols, path), record };
}
