import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { genbenchHome } from '../assets/index.js';
import { sweepStaleTemps } from '../assets/fetch.js';
import { releaseLock, tryLock } from '../assets/pid-lock.js';
import { GenbenchError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { silentProgress, type Progress } from '../progress.js';

/**
 * The standard recipes of the `classifier:<dataset>` extractors and their training cache. A recipe is the
 * reference-models `classifier` CNN trained with fixed settings on a fixed split and scored on a fixed held-out
 * split; the checkpoint lands in `GENBENCH_HOME/classifiers/<dataset>-r<revision>/` (a `genbench train` run folder
 * whose genbench.json also records `recipe`, `heldout_split` and `target_accuracy`). It is trained once, on first
 * use: into a temporary folder `.<name>.<pid>.<hex>.tmp` beside it, renamed into place when complete, so Ctrl-C or a
 * crash never leaves a half checkpoint (the temp folder of a dead process is swept later). Concurrent runs wait for
 * the one that holds the lock; should two ever train at once, the first rename wins and the other uses it.
 *
 * @example
 * const folder = await ensureClassifier('mnist', { progress });  // trains ~1-2 min the first time, then instant
 * // folder: '~/.cache/genbench/classifiers/mnist-r1'
 */
export interface ClassifierRecipe {
  readonly dataset: string;
  /** Training split expression. */
  readonly split: string;
  /** Held-out split the accuracy is measured on (at most 2000 images are scored). */
  readonly heldout: string;
  readonly epochs: number;
  readonly batch: number;
  readonly seed: number;
  /** Held-out accuracy the recipe is tuned to reach (checked by the tests, recorded in every recipe). */
  readonly target: number;
  /**
   * Bumped when this recipe changes: the checkpoint folder and the `recipe` field carry it, so an older cached
   * checkpoint is left alone, the new recipe trains afresh, and other datasets' caches stay valid.
   */
  readonly revision: number;
}

export const CLASSIFIER_RECIPES: ReadonlyMap<string, ClassifierRecipe> = Object.freeze(
  new Map<string, ClassifierRecipe>([
    ['mnist', { dataset: 'mnist', split: 'test[:8000]', heldout: 'test[8000:10000]', epochs: 4, batch: 64, seed: 0, target: 0.98, revision: 1 }],
    ['pneumoniamnist', { dataset: 'pneumoniamnist', split: 'train', heldout: 'test', epochs: 8, batch: 64, seed: 0, target: 0.85, revision: 1 }],
    // r1 was train[:16000], 5 epochs, batch 64 (97.2% held out); r2 reaches 96.0% at 0.4x the training time.
    ['polygons', { dataset: 'polygons', split: 'train[:8000]', heldout: 'test[:2000]', epochs: 4, batch: 32, seed: 0, target: 0.95, revision: 2 }],
  ]),
);

export interface EnsureOptions {
  /** GENBENCH_HOME to use (default genbenchHome()). */
  readonly home?: string;
  /** Training progress (steps, loss, images/s); nothing is shown when the checkpoint is cached. */
  readonly progress?: Progress;
}

/** The recipe of `dataset`, or a USAGE error naming the datasets that have one and the path form. */
export function classifierRecipe(dataset: string): ClassifierRecipe {
  const r = CLASSIFIER_RECIPES.get(dataset);
  if (r === undefined) {
    throw new GenbenchError(
      'USAGE',
      `extractor 'classifier:${dataset}': no standard classifier recipe for '${dataset}' (recipes: ${[...CLASSIFIER_RECIPES.keys()].join(', ')}); train one with 'genbench train --model classifier --dataset ${dataset} --out DIR' and use classifier:DIR`,
    );
  }
  return r;
}

/** Where the standard classifier of `dataset` is cached. */
export function classifierCachePath(dataset: string, home: string = genbenchHome()): string {
  return join(home, 'classifiers', `${dataset}-r${classifierRecipe(dataset).revision}`);
}

/**
 * The cached checkpoint folder of `dataset`'s standard classifier, training it first when it is missing. One
 * process trains at a time (lock file `<name>.lock` holding its pid, src/assets/pid-lock.ts); others wait for it,
 * and one of them takes over when its process died.
 */
export async function ensureClassifier(dataset: string, opts: EnsureOptions = {}): Promise<string> {
  const recipe = classifierRecipe(dataset);
  const final = classifierCachePath(dataset, opts.home);
  await mkdir(dirname(final), { recursive: true });
  for (;;) {
    if (await isComplete(final)) return final;
    if (await tryLock(`${final}.lock`)) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  try {
    if (!(await isComplete(final))) await trainInto(recipe, final, opts.progress ?? silentProgress);
  } finally {
    await releaseLock(`${final}.lock`);
  }
  return final;
}

/** Trains into a temp folder beside `final` and renames it into place. */
async function trainInto(recipe: ClassifierRecipe, final: string, progress: Progress): Promise<void> {
  await sweepStaleTemps(final);
  const tmp = join(dirname(final), `.${basename(final)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await trainRecipe(recipe, tmp, progress);
    await rename(tmp, final).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST' && e.code !== 'ENOTEMPTY') throw e; // another run finished first: use its copy
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  if (!(await isComplete(final))) throw new GenbenchError('INPUT', `${final}: the classifier cache folder is incomplete; delete it and run again`);
}

async function isComplete(folder: string): Promise<boolean> {
  return (await stat(join(folder, 'genbench.json')).catch(() => null)) !== null;
}

/** Trains the recipe into `out` (a fresh folder) and adds the recipe fields to its genbench.json. */
async function trainRecipe(recipe: ClassifierRecipe, out: string, progress: Progress): Promise<void> {
  const { initBackend } = await import('../backend/index.js');
  const { getReferenceModel, train } = await import('../../reference-models/index.js'); // loads tfjs
  const { openDataset } = await import('../data/index.js');
  const ds = await openDataset(recipe.dataset);
  const data = await ds.load(recipe.split);
  const heldOut = await ds.load(recipe.heldout);
  const backend = await initBackend();
  const model = getReferenceModel('classifier');
  const r = await train({
    model,
    train: data,
    heldOut,
    classes: ds.classNames?.length ?? Math.max(...(data.labels ?? [1])) + 1,
    settings: { model: model.name, dataset: recipe.dataset, split: data.split, batch: recipe.batch, seed: recipe.seed, backend: backend.name },
    out,
    epochs: recipe.epochs,
    license: ds.license,
    progress: relabelled(progress, `training classifier:${recipe.dataset} once (cached for later runs)`),
  });
  if (r.status !== 'completed' || r.checkpoint === null) throw new GenbenchError('INPUT', `classifier:${recipe.dataset}: training stopped (${r.status}); run again`);
  const path = join(out, 'genbench.json');
  const m = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const fields = { recipe: `genbench-classifier/r${recipe.revision}`, heldout_split: heldOut.split, target_accuracy: recipe.target };
  await writeFileAtomic(path, JSON.stringify({ ...m, ...fields }, null, 2) + '\n');
}

/** The same progress with another label on start. */
function relabelled(p: Progress, label: string): Progress {
  return { start: (total) => p.start(total, label), tick: (n, info) => p.tick(n, info), stop: () => p.stop() };
}
