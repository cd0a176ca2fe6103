import { resolve } from 'node:path';
import { Command } from 'commander';
import { DC_DEFAULTS } from '../../metrics/density-coverage.js';
import { PR_DEFAULTS } from '../../metrics/precision-recall.js';
import { GenbenchError } from '../errors.js';
import { extractFeatures, featureInputOptions, type FeatureInputFlags } from './features.js';
import { checkOutputs, printJson, printLine } from './output.js';

/**
 * `genbench stats`: the Gaussian statistics of a feature set (mean, covariance with ddof 1, count), the k-NN radii of
 * its rows (for each k of --k, default the precision/recall and density/coverage defaults 3 and 5), the sha256 of the
 * rows and the features' recipe, as a .npz (data/stats-file.ts: mu, sigma, count, radii, radii_k, recipe.json), for
 * FD against it without its images (`genbench metrics --generated G.npy --reference S.npz --metrics fd`) or every
 * metric with the stored statistics (`--reference R.npy --reference-stats S.npz`). Images and extractor as for
 * `genbench features` (the same flags).
 *
 * @example
 * genbench stats --dataset mnist --split test --extractor mobilenet-v1-0.25 --out mnist-test.npz   # wrote mnist-test.npz: 10000 images, d = 256, radii k = 3,5
 */
const DEFAULT_K = `${PR_DEFAULTS.k},${DC_DEFAULTS.k}`;

export function statsCommand(): Command {
  return featureInputOptions(new Command('stats').description('mean, covariance, count and k-NN radii of the features of images or dataset rows, as a .npz (genbench metrics --reference S.npz, or --reference-stats S.npz)'))
    .requiredOption('--out <file.npz>', 'write the statistics here (mu, sigma, count, radii, radii_k, recipe.json; atomically)')
    .option('--k <list>', `comma-separated neighbourhood sizes of the stored k-NN radii (precision/recall 3, density/coverage 5)`, DEFAULT_K)
    .action(async (f: FeatureInputFlags & { k: string }) => {
      const ks = parseKs(f.k);
      await checkOutputs({ '--out': f.out });
      const { matrix, recipe } = await extractFeatures(f);
      const kmax = Math.max(...ks);
      if (kmax >= matrix.rows) throw new GenbenchError('USAGE', `--k ${f.k}: k = ${kmax} needs more than ${kmax} images, got ${matrix.rows}; pass smaller --k values`);
      const { statsOf } = await import('../../metrics/fd.js');
      const { kthNeighbourDistances } = await import('../nn/exact.js');
      const { matrixSha256 } = await import('../nn/cache.js');
      const { writeStats } = await import('../data/stats-file.js');
      const stats = await statsOf(matrix);
      const radii = await kthNeighbourDistances(matrix, ks);
      const featuresSha256 = matrixSha256(matrix);
      const radiiNote = 'distance to the k-th nearest row, the row itself neighbour 0 (exact float64 Euclidean)';
      await writeStats(resolve(f.out), stats, { ...recipe, covariance: 'ddof 1, float64', radii: radiiNote, featuresSha256 }, new Map(ks.map((k, t) => [k, radii[t]!])));
      const summary = { out: resolve(f.out), count: stats.count, dim: stats.mean.length, k: ks, featuresSha256, ...recipe };
      if (f.json) printJson(summary);
      else printLine(`wrote ${summary.out}: ${stats.count} images, d = ${stats.mean.length}, radii k = ${ks.join(',')}, ${recipe.extractor.id} layer ${recipe.layer}`);
    });
}

function parseKs(list: string): number[] {
  const ks = list.split(',').map((s) => s.trim());
  if (ks.some((s) => !/^[1-9]\d*$/.test(s)) || new Set(ks).size !== ks.length) throw new GenbenchError('USAGE', `--k ${list}: give distinct positive integers separated by commas, e.g. 3,5`);
  return ks.map(Number);
}
