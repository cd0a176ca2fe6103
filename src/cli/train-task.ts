import { GenbenchError } from '../errors.js';
import type { PairImages } from '../data/paired.js';
import type { ImageBatchU8 } from '../io/image.js';
import type { LabelledImages } from '../../reference-models/batches.js';
import type { ReferenceModel } from '../../reference-models/types.js';

/**
 * The training data of a translator: a translation task's split as sources and targets for the training loop.
 * Paired tasks give aligned pairs to paired models and two domains to unpaired ones (CycleGAN ignores the pairing);
 * an unpaired task is refused for a paired model. Default splits: `train`, held out `val` where the task has one
 * (PneumoniaMNIST), else none (`--heldout test` asks for one). A segmentation task (label-map targets) reports its
 * label count; a model that trains on labels only (`segmenter`) refuses any other task before anything is written.
 *
 * @example
 * const d = await loadTranslationData({ task: 'pneumonia-denoise', model: pix2pix });
 * d.train.images.n; // 2428 (noisy sources); d.train.targets.n: 2428
 */
export interface TranslationData {
  readonly train: LabelledImages;
  readonly heldOut?: LabelledImages;
  readonly split: string;
  readonly heldOutSplit: string | null;
  readonly license: string;
  /** A segmentation task's labels (1..labels, 0 background); absent for intensity targets. */
  readonly labels?: number;
}

export async function loadTranslationData(o: { task: string; model: ReferenceModel; split?: string; heldout?: string }): Promise<TranslationData> {
  const { openTranslationTask } = await import('../data/paired-tasks.js');
  const t = await openTranslationTask(o.task);
  if (t.kind === 'unpaired' && o.model.pairing === 'paired') {
    throw new GenbenchError('USAGE', `--model ${o.model.name} trains on pairs, and task '${o.task}' is unpaired; use --model cyclegan or a paired task`);
  }
  const pairing = o.model.pairing === 'unpaired' ? 'independent' : 'aligned';
  const split = o.split ?? 'train';
  const heldExpr = o.heldout === 'none' ? null : (o.heldout ?? (t.task.splits.some((s) => s.name === 'val') ? 'val' : null));
  let labels: number | undefined;
  const read = async (expr: string): Promise<LabelledImages> => {
    const s = await t.task.load(expr);
    labels = (s as { readonly segmentation?: { readonly labels: number } }).segmentation?.labels; // paired splits only
    if (o.model.targets === 'labels' && labels === undefined) {
      throw new GenbenchError('USAGE', `--model ${o.model.name} trains on label maps, and task '${o.task}' has image targets; give a segmentation task (colin27-t1-aal, or a volume task spec whose target window is 'labels')`);
    }
    return { images: asU8(s.source, o.task, 'source'), targets: asU8(s.target, o.task, 'target'), pairing };
  };
  const train = await read(split);
  const heldOut = heldExpr === null ? undefined : await read(heldExpr);
  return { train, ...(heldOut ? { heldOut } : {}), split, heldOutSplit: heldExpr, license: t.task.license, ...(labels === undefined ? {} : { labels }) };
}

/** A task's uint8 side as an image batch; float sides (user pairs with a stated range) are not trained on. */
function asU8(p: PairImages, task: string, side: string): ImageBatchU8 {
  if (!(p.data instanceof Uint8Array) || p.range[0] !== 0 || p.range[1] !== 255) {
    throw new GenbenchError('UNSUPPORTED', `task '${task}': the ${side} images are float in [${p.range.join(', ')}]; genbench train reads uint8 images (0..255)`);
  }
  return { data: p.data, n: p.n, height: p.height, width: p.width, channels: p.channels };
}
