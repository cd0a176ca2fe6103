import { openTranslationTask, type TranslationTask } from '../data/paired-tasks.js';
import type { PairImages } from '../data/paired.js';
import { GenbenchError } from '../errors.js';
import type { ImageBatchU8 } from '../io/image.js';
import { loadTranslator } from '../models/translator.js';
import { asUint8, checkShapes, defaultTranslationSplit, sideOf, translateImages } from './translate-steps.js';

/**
 * The images of a translation task as a rater sees them (rating/images.ts): a translator's outputs on a split of
 * its task ("generated") and the task's target images of that split ("real"), both uint8 in the targets' scale
 * (outputs mapped and quantised exactly as the translate harness scores them, translate-steps.ts translateImages,
 * then asUint8). The split defaults to the task's `test`.
 *
 * @example
 * (await translatedImages({ translator: 'work/t.genbench.json' })).n; // 468 on pneumonia-sr2's test split
 * (await taskTargets('pneumonia-sr2')).height;                        // 28
 */
export async function translatedImages(o: { readonly translator: string; readonly task?: string; readonly split?: string }): Promise<ImageBatchU8> {
  const t = await loadTranslator(o.translator);
  try {
    const name = o.task ?? t.manifest.task;
    if (name === undefined) throw new GenbenchError('INPUT', `${t.manifestPath}: field 'task' is missing; name the task whose images the translator translates`);
    const task = await openTranslationTask(name);
    const split = await loadSplit(task, o.split);
    checkShapes(t, task.task.name, split.source, split.target, 'its outputs are shown beside the target images');
    const output = await translateImages(t, split.source, split.source.range, sideOf(split.target), {});
    return asUint8(output, split.target.range);
  } finally {
    t.dispose();
  }
}

/** The target images of a task's split (default `test`) as uint8. */
export async function taskTargets(name: string, split?: string): Promise<ImageBatchU8> {
  const { target } = await loadSplit(await openTranslationTask(name), split);
  return asUint8(target, target.range);
}

async function loadSplit(task: TranslationTask, split: string | undefined): Promise<{ source: PairImages; target: PairImages }> {
  const expr = split ?? defaultTranslationSplit(task.task.splits);
  return task.task.load(expr);
}
