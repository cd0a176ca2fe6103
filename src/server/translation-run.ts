import { join } from 'node:path';
import { storedReport, storePool, type EvaluationFilesInput, type EvaluationFilesOutput } from './evaluation-run.js';
import type { TranslationRecipe } from './translation-protocol.js';

/**
 * The evaluation of one translation submission on files only (the evaluation process's work, like
 * evaluation-run.ts for generators): the translate harness (harness/translate.ts evaluateTranslation) on the
 * recipe's task, split, extractor, seed and bootstrap, with the input | output | target grid written to `grid.png`,
 * then, when the recipe asks for one, the human-rating pool (`pool.npy`: the translator's outputs on the task's test
 * split, rating/images.ts samplePoolFiles). A bad translator (a manifest that does not fit the task, outputs of
 * another shape than the targets, NaN outputs) fails with the harness's one-line INPUT error; a pool that cannot be
 * made is a report warning. No memorisation checks: a translator has no training samples to copy from.
 *
 * @example
 * const recipe = { task: 'pneumonia-sr2', split: 'test', extractor: 'classifier:pneumoniamnist', bootstrap: 50, seed: 0 };
 * await runTranslationFiles({ dir, mainFile: 't.onnx', manifestName: 't.genbench.json', manifest, recipe, panel: false });
 * // { report: { recipe: { rankedBy: 'ssim', ... }, ... }, nn: false, pool: false } (and dir/grid.png)
 */
export async function runTranslationFiles(input: EvaluationFilesInput & { recipe: TranslationRecipe }): Promise<EvaluationFilesOutput> {
  const { dir, recipe } = input;
  const { evaluateTranslation } = await import('../harness/translate.js');
  const report = await evaluateTranslation({
    translator: join(dir, input.mainFile),
    task: recipe.task,
    split: recipe.split,
    extractor: recipe.extractor,
    seed: recipe.seed,
    bootstrap: recipe.bootstrap,
    grid: join(dir, 'grid.png'),
    ...(input.cacheDir === undefined ? {} : { cacheDir: input.cacheDir }),
  });
  const warnings: string[] = [];
  const pool = await storePool(input, recipe.pool, warnings);
  return { report: storedReport(report, input.mainFile, warnings), nn: false, pool };
}
