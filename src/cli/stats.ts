import { resolve } from 'node:path';
import { Command } from 'commander';
import { extractFeatures, featureInputOptions, type FeatureInputFlags } from './features.js';
import { checkOutputs, printJson, printLine } from './output.js';

/**
 * `genbench stats`: the Gaussian statistics of a feature set (mean, covariance with ddof 1, count) and the features'
 * recipe, as a .npz (data/stats-file.ts: mu, sigma, count, recipe.json), for FD against it without its images:
 * `genbench metrics --generated G.npy --reference S.npz --metrics fd`. Images and extractor as for `genbench
 * features` (the same flags).
 *
 * @example
 * genbench stats --dataset mnist --split test --extractor mobilenet-v1-0.25 --out mnist-test.npz   # wrote mnist-test.npz: 10000 images, d = 256
 */
export function statsCommand(): Command {
  return featureInputOptions(new Command('stats').description('mean, covariance and count of the features of images or dataset rows, as a .npz for FD (genbench metrics --reference S.npz)'))
    .requiredOption('--out <file.npz>', 'write the statistics here (mu, sigma, count, recipe.json; atomically)')
    .action(async (f: FeatureInputFlags) => {
      await checkOutputs({ '--out': f.out });
      const { matrix, recipe } = await extractFeatures(f);
      const { statsOf } = await import('../../metrics/fd.js');
      const { writeStats } = await import('../data/stats-file.js');
      const stats = await statsOf(matrix);
      await writeStats(resolve(f.out), stats, { ...recipe, covariance: 'ddof 1, float64' });
      const summary = { out: resolve(f.out), count: stats.count, dim: stats.mean.length, ...recipe };
      if (f.json) printJson(summary);
      else printLine(`wrote ${summary.out}: ${stats.count} images, d = ${stats.mean.length}, ${recipe.extractor.id} layer ${recipe.layer}`);
    });
}
