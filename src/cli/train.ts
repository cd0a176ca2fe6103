import { resolve } from 'node:path';
import { Command } from 'commander';
import type { Dataset } from '../data/types.js';
import { GenbenchError } from '../errors.js';
import { checkOutputFolder } from '../io/output-path.js';
import { log, parseIntFlag, printJson, printLine } from './output.js';
import { stderrProgress } from './progress-bar.js';
import { parseResizeFlags, requireResizable, resizeOptions, type ResizeFlags } from './resize-flags.js';
import type { Progress } from '../progress.js';
import type { LabelledImages } from '../../reference-models/batches.js';
import type { ReferenceModel } from '../../reference-models/types.js';

interface TrainFlags extends ResizeFlags {
  model: string;
  dataset?: string;
  task?: string;
  steps?: string;
  target?: string;
  targetSplit?: string;
  adversarial?: boolean;
  split?: string;
  heldout?: string;
  epochs?: string;
  minutes?: string;
  batch?: string;
  seed: string;
  out?: string;
  resume?: boolean;
  backend?: string;
  json?: boolean;
  quiet?: boolean;
}

/**
 * `genbench train`: trains a reference model (reference-models/) on a dataset, with a progress bar (losses,
 * images/s) on stderr, a loss curve, a sample grid per epoch and a checkpoint per epoch that `genbench sample` and
 * `genbench evaluate --generator <out>` read as they are. Ctrl-C stops after the current step, keeps the last
 * checkpoint and exits 130; `--resume` continues it. Translators (pix2pix, fcn-mse, cyclegan; segmenter on
 * segmentation tasks) train on a translation task (`--task`) and their checkpoints also hold an ONNX translator that
 * `genbench evaluate --translator <out>` reads.
 *
 * @example
 * genbench train --model dcgan --dataset mnist --epochs 5 --out runs/dcgan   # prints: dcgan on mnist test[:8000]: ...
 * genbench train --model pix2pix --task pneumonia-denoise --steps 300 --out runs/p2p
 * genbench train --model dann --dataset mnist --target uci-digits --minutes 3 --out runs/dann   # --no-adversarial: baseline
 */
export function trainCommand(): Command {
  return resizeOptions(new Command('train'))
    .description('train a reference model (dcgan, cdcgan, vae, classifier; translators pix2pix, fcn-mse, cyclegan, segmenter) and write a checkpoint genbench can evaluate')
    .requiredOption('--model <name>', 'reference model: dcgan, cdcgan, vae, classifier, pix2pix, fcn-mse, cyclegan, segmenter')
    .option('--dataset <name>', 'built-in dataset (mnist, polygons, ...), a folder of images or an .npz file')
    .option('--task <name>', 'translation task for pix2pix, fcn-mse, cyclegan (pneumonia-denoise, colin27-t1-bet, ...; genbench datasets list); segmenter: a segmentation task (colin27-t1-aal)')
    .option('--split <expr>', "training split, e.g. 'train' or 'test[:8000]' (default: train, or the first 80% of the first split on this machine)")
    .option('--heldout <expr>', "held-out split for ELBO/accuracy (default: up to 2000 images after a sliced split, else test[:2000]; 'none' for none)")
    .option('--epochs <n>', 'total epochs (default: the model\'s; a resumed run continues up to this number)')
    .option('--minutes <m>', 'train for this many minutes instead of a number of epochs')
    .option('--steps <n>', 'stop after this many steps in total (alone: instead of a number of epochs)')
    .option('--target <dataset>', 'dann: the unlabelled target domain (uci-digits, or any --dataset); held out: its labelled test split')
    .option('--target-split <expr>', "dann: the target images trained on, unlabelled (default 'train')")
    .option('--no-adversarial', 'dann: no domain adversary (the source-only baseline)')
    .option('--batch <n>', 'images per step (default 64)')
    .option('--seed <int>', 'seed of the initial weights, the shuffles and the noise', '0')
    .option('--out <dir>', 'run folder: checkpoint, loss-curve.json, samples/ (default runs/<model>-<dataset>)')
    .option('--resume', 'continue the checkpoint in --out')
    .option('--backend <name>', 'tfjs backend: node-gpu, node, wasm, cpu (default: the fastest that starts)')
    .option('--json', 'print a machine-readable summary on stdout')
    .option('--quiet', 'no progress bar and no epoch lines')
    .action(runTrain);
}

async function runTrain(flags: TrainFlags): Promise<void> {
  const seed = parseIntFlag('seed', flags.seed, { min: 0, max: 0xffffffff });
  const batch = flags.batch === undefined ? undefined : parseIntFlag('batch', flags.batch, { min: 1, max: 65536 });
  if (flags.epochs !== undefined && flags.minutes !== undefined) throw new GenbenchError('USAGE', 'give --epochs or --minutes, not both');
  const epochs = flags.epochs === undefined ? undefined : parseIntFlag('epochs', flags.epochs, { min: 1 });
  const minutes = flags.minutes === undefined ? undefined : parseMinutes(flags.minutes);
  const steps = flags.steps === undefined ? undefined : parseIntFlag('steps', flags.steps, { min: 1 });
  if ((flags.dataset === undefined) === (flags.task === undefined)) throw new GenbenchError('USAGE', 'give --dataset (generators, classifiers) or --task (translators), one of them');
  const resize = parseResizeFlags(flags);
  if (flags.task !== undefined && resize !== undefined) throw new GenbenchError('USAGE', '--resize: not with --task (a task fixes its image size)');
  if (flags.dataset !== undefined) await requireResizable(resize, { '--dataset': { path: flags.dataset, zip: false } });
  if (flags.out !== undefined) await checkOutputFolder(flags.out, '--out');
  const { getReferenceModel, train } = await import('../../reference-models/index.js'); // loads tfjs
  const model = getReferenceModel(flags.model);
  const source = flags.task ?? flags.dataset!;
  if ((model.role === 'translator') !== (flags.task !== undefined)) {
    throw new GenbenchError('USAGE', model.role === 'translator' ? `--model ${model.name} is a translator: give --task (a translation task), not --dataset` : `--model ${model.name} trains on a dataset: give --dataset, not --task`);
  }
  const out = resolve(flags.out ?? `runs/${model.name}-${source.replace(/[^A-Za-z0-9_.-]+/g, '_')}`);
  if (flags.out === undefined) await checkOutputFolder(out, '--out (default)');
  const progress = stderrProgress({ quiet: flags.quiet ?? false });
  const isDann = model.pairing === 'unpaired' && model.role !== 'translator';
  if (!isDann && (flags.target !== undefined || flags.targetSplit !== undefined || flags.adversarial === false)) throw new GenbenchError('USAGE', `--target, --target-split and --no-adversarial are for --model dann, not ${model.name}`);
  if (isDann && flags.target === undefined) throw new GenbenchError('USAGE', `--model ${model.name} needs --target (the unlabelled target domain, e.g. uci-digits)`);
  const d = flags.task !== undefined ? await taskData(flags, model) : isDann ? await domainData(flags, resize, progress) : await datasetData(flags, resize, progress);
  const { initBackend } = await import('../backend/index.js');
  const backend = await initBackend(flags.backend);
  const abort = new AbortController();
  const onSigint = (): void => {
    log('genbench train: interrupted; stopping after this step and keeping the last complete checkpoint');
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const r = await train({
      model,
      train: d.train,
      ...(d.heldOut ? { heldOut: d.heldOut } : {}),
      classes: d.classes,
      settings: { model: model.name, dataset: source, split: d.split, batch: batch ?? model.defaults.batch, seed, backend: backend.name, ...(resize === undefined ? {} : { resize: `${resize.height}x${resize.width} ${resize.filter}` }), ...(d.target === undefined ? {} : { target: d.target }), ...(isDann && flags.adversarial === false ? { variant: 'no-adversarial' } : {}) },
      out,
      ...(epochs === undefined ? {} : { epochs }),
      ...(minutes === undefined ? {} : { minutes }),
      ...(steps === undefined ? {} : { maxSteps: steps }),
      resume: flags.resume ?? false,
      license: d.license,
      progress,
      signal: abort.signal,
      ...(flags.quiet ? {} : { log }),
    });
    const summary = { model: model.name, [flags.task !== undefined ? 'task' : 'dataset']: source, split: d.split, ...(d.target === undefined ? {} : { target: d.target, adversarial: flags.adversarial !== false }), heldout: d.heldOutSplit, backend: backend.name, out, ...r };
    if (flags.json) printJson(summary);
    else printLine(`${model.name} on ${source} ${d.split}: ${r.status} at epoch ${Math.round(r.epoch * 100) / 100} (step ${r.step}), ${Math.round(r.imagesPerSecond)} img/s on ${backend.name}; checkpoint ${r.checkpoint ?? 'none'}`);
    if (r.status === 'interrupted') process.exitCode = 130;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

interface RunData {
  readonly train: LabelledImages;
  readonly heldOut?: LabelledImages | undefined;
  readonly classes: number;
  readonly split: string;
  readonly heldOutSplit: string | null;
  readonly license: string;
  /** dann: the target domain as `dataset split`. */
  readonly target?: string;
}

async function datasetData(flags: TrainFlags, resize: ReturnType<typeof parseResizeFlags>, progress: Progress): Promise<RunData> {
  const { openDataset } = await import('../data/index.js');
  const ds = await openDataset(flags.dataset!, resize === undefined ? {} : { resize });
  const split = flags.split ?? (await defaultSplit(ds));
  const heldoutExpr = flags.heldout === 'none' ? null : (flags.heldout ?? (await defaultHeldOut(ds, split)));
  const data = await ds.load(split, { progress });
  const heldOut = heldoutExpr === null ? undefined : await ds.load(heldoutExpr);
  const classes = ds.classNames?.length ?? (data.labels ? Math.max(...data.labels) + 1 : 0);
  return { train: data, heldOut, classes, split: data.split, heldOutSplit: heldOut?.split ?? null, license: ds.license };
}

/** dann: labelled source images (--dataset), unlabelled target images (--target), the target's labelled test held out. */
async function domainData(flags: TrainFlags, resize: ReturnType<typeof parseResizeFlags>, progress: Progress): Promise<RunData> {
  const src = await datasetData({ ...flags, heldout: 'none' }, resize, progress);
  const { openDataset } = await import('../data/index.js');
  const { uciDigits } = await import('../data/uci-digits.js');
  const ds = flags.target === 'uci-digits' ? uciDigits : await openDataset(flags.target!, resize === undefined ? {} : { resize });
  const t = await ds.load(flags.targetSplit ?? 'train');
  const heldExpr = flags.heldout === 'none' ? null : (flags.heldout ?? 'test');
  const held = heldExpr === null ? undefined : await ds.load(heldExpr);
  if (held && !held.labels) throw new GenbenchError('USAGE', `--heldout: target '${flags.target}' has no labels, so target accuracy cannot be measured (give --heldout none)`);
  const shape = (i: { height: number; width: number; channels: number }): string => `${i.height}x${i.width}x${i.channels}`;
  if (shape(t.images) !== shape(src.train.images)) throw new GenbenchError('USAGE', `--target: its images are ${shape(t.images)}, the source's ${shape(src.train.images)}; give --resize`);
  return { ...src, train: { ...src.train, targets: t.images, pairing: 'independent' }, heldOut: held, heldOutSplit: held?.split ?? null, target: `${ds.name} ${t.split}` };
}

async function taskData(flags: TrainFlags, model: ReferenceModel): Promise<RunData> {
  const { loadTranslationData } = await import('./train-task.js');
  const d = await loadTranslationData({ task: flags.task!, model, ...(flags.split === undefined ? {} : { split: flags.split }), ...(flags.heldout === undefined ? {} : { heldout: flags.heldout }) });
  return { ...d, classes: d.labels === undefined ? 0 : d.labels + 1 }; // a segmentation task's classes: its labels and the background
}

function parseMinutes(value: string): number {
  const m = Number(value);
  if (!/^\d*\.?\d+$/.test(value.trim()) || !(m > 0)) throw new GenbenchError('USAGE', `--minutes: expected a positive number, got '${value}'`);
  return m;
}

/** 'train' when it is on this machine, else the first 80% of the first split that is (MNIST offline: test[:8000]). */
async function defaultSplit(ds: Dataset): Promise<string> {
  if (ds.splits.some((s) => s.name === 'train') && (await ds.available('train'))) return 'train';
  for (const s of ds.splits) {
    if (!(await ds.available(s.name))) continue;
    return s.count === undefined ? s.name : `${s.name}[:${Math.floor(s.count * 0.8)}]`;
  }
  throw new GenbenchError('NOT_FOUND', `dataset '${ds.name}' has no split on this machine; give --split (it will be downloaded) or set GENBENCH_ASSETS`);
}

/** The rest of a split sliced as NAME[:N], else test[:2000] when training on another split, else none. */
async function defaultHeldOut(ds: Dataset, split: string): Promise<string | null> {
  const m = /^([A-Za-z0-9_.-]+)\[\s*0?\s*:\s*(\d+)\s*\]$/.exec(split.trim());
  const info = ds.splits.find((s) => s.name === m?.[1]);
  if (m && info?.count !== undefined && Number(m[2]) < info.count) return `${m[1]}[${m[2]}:${Math.min(info.count, Number(m[2]) + 2000)}]`;
  const name = split.replace(/\[.*$/, '');
  const test = ds.splits.find((s) => s.name === 'test');
  if (test && name !== 'test' && (await ds.available('test'))) return test.count !== undefined && test.count > 2000 ? 'test[:2000]' : 'test';
  return null;
}
