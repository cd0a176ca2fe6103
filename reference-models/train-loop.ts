import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageShape } from '../src/data/types.js';
import { GenbenchError } from '../src/errors.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { silentProgress, type Progress } from '../src/progress.js';
import { Rng } from '../src/rng.js';
import { BatchSource, disposeBatch, type EpochOrder, type LabelledImages } from './batches.js';
import { latestCheckpoint, removeStaleTemps, writeCheckpoint } from './checkpoint.js';
import { addStep, buildManifest, CURVE_FILE, evaluateHeldOut, featuresManifest, meanLosses, newCurve, readCurve, validateManifest, writePreview, type LossCurve } from './run-outputs.js';
import { disposeTrainable, encodeState, readState, type Counters, type RunSettings } from './train-state.js';
import type { ReferenceModel, Scalars, TrainableModel } from './types.js';

/**
 * The one training loop every reference model runs in: models are thin descriptors over it. Per epoch: a seeded
 * shuffle, batches of `batch` images, one `model.step` each (losses logged per step), then held-out metrics, a sample
 * grid from fixed latents (`samples/epoch-NNN.png`) and a checkpoint (checkpoint.ts). Stops after `epochs`, after
 * `minutes`, after `maxSteps` total steps (then it checkpoints where it stands), or when `signal` aborts (then it keeps
 * the last checkpoint and writes nothing). Randomness: init from Rng(seed).fork('init'), epoch order from
 * fork('epoch-E'), step noise from fork('step-S'), so the same seed and backend give the same weights, resumed or not.
 *
 * @example
 * const r = await train({ model: dcgan, train: { images }, classes: 0, out: 'runs/dcgan', epochs: 1,
 *   settings: { model: 'dcgan', dataset: 'mnist', split: 'test[:8000]', batch: 64, seed: 0, backend: 'wasm' } });
 * r.status; // 'completed'; r.checkpoint: 'runs/dcgan/ckpt-000125'
 */
export interface TrainOptions {
  readonly model: ReferenceModel;
  readonly train: LabelledImages;
  readonly heldOut?: LabelledImages;
  /** Number of classes of the labels (0 for unlabelled data). */
  readonly classes: number;
  readonly settings: RunSettings;
  readonly out: string;
  /** Total epochs (a resumed run continues up to this number). Default: the model's, unless `minutes` is given. */
  readonly epochs?: number;
  /** Wall-clock budget of this invocation. */
  readonly minutes?: number;
  /** Stop after this many steps in total (`--steps`; alone, it sets the run's length instead of the epochs). */
  readonly maxSteps?: number;
  readonly resume?: boolean;
  /** Dataset licence, recorded in the manifest. */
  readonly license?: string;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
  /** Receives one line per epoch (the library never prints). */
  readonly log?: (line: string) => void;
}

export interface TrainResult {
  readonly status: 'completed' | 'time-limit' | 'step-limit' | 'interrupted';
  /** The last complete checkpoint folder (null when none was ever written). */
  readonly checkpoint: string | null;
  readonly epoch: number;
  readonly step: number;
  /** Images per second of this invocation's steps. */
  readonly imagesPerSecond: number;
  readonly trainSeconds: number;
  readonly lastEpoch: Readonly<LossCurve['epochs'][number]> | null;
  readonly curvePath: string;
}

interface Run {
  readonly o: TrainOptions;
  readonly net: TrainableModel;
  readonly data: BatchSource;
  readonly heldOut: BatchSource | null;
  readonly stepsPerEpoch: number;
  readonly shape: ImageShape;
  counters: Counters;
  curve: LossCurve;
  checkpoint: string | null;
  session: { steps: number; seconds: number };
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  const s = o.settings;
  if (o.model.needsLabels && !o.train.labels) throw new GenbenchError('USAGE', `--model ${o.model.name} needs class labels, and dataset '${s.dataset}' has none`);
  if (o.model.pairing !== undefined && !o.train.targets) {
    throw new GenbenchError('USAGE', o.model.role === 'translator' ? `--model ${o.model.name} is a translator: train it on a translation task (--task), not on '${s.dataset}'` : `--model ${o.model.name} needs an unlabelled target domain (--target)`);
  }
  const data = new BatchSource(o.train, o.model.inputRange);
  const stepsPerEpoch = Math.floor(data.n / s.batch);
  if (stepsPerEpoch === 0) throw new GenbenchError('USAGE', `--batch ${s.batch}: split '${s.split}' has only ${data.n} images; use a smaller --batch or a larger --split`);
  const { height, width, channels } = o.train.images;
  const shape = { height, width, channels };
  const t = o.train.targets;
  const targetShape = t ? { targetShape: { height: t.height, width: t.width, channels: t.channels } } : {};
  const net = o.model.build({ shape, ...targetShape, classes: o.classes, rng: new Rng(s.seed).fork('init'), ...(s.variant === 'no-adversarial' ? { adversarial: false } : {}) });
  try {
    const heldOut = o.heldOut && o.heldOut.images.n > 0 ? new BatchSource(o.heldOut, o.model.inputRange) : null;
    const run: Run = { o, net, data, heldOut, stepsPerEpoch, shape, counters: { epoch: 0, step_in_epoch: 0, step: 0, train_seconds: 0 }, curve: newCurve(s), checkpoint: null, session: { steps: 0, seconds: 0 } };
    await prepareOut(run);
    const status = await loop(run);
    return {
      status,
      checkpoint: run.checkpoint,
      epoch: run.counters.epoch + run.counters.step_in_epoch / stepsPerEpoch,
      step: run.counters.step,
      imagesPerSecond: imagesPerSecond(run),
      trainSeconds: run.counters.train_seconds,
      lastEpoch: run.curve.epochs.at(-1) ?? null,
      curvePath: join(o.out, CURVE_FILE),
    };
  } finally {
    disposeTrainable(net);
  }
}

/** A fresh run folder, or the state of the checkpoint to resume. */
async function prepareOut(run: Run): Promise<void> {
  const { o, net } = run;
  await mkdir(o.out, { recursive: true });
  await removeStaleTemps(o.out);
  const existing = await latestCheckpoint(o.out);
  if (!o.resume) {
    if (existing) throw new GenbenchError('USAGE', `${o.out} already holds a training checkpoint; pass --resume to continue it, or choose another --out`);
    return;
  }
  if (!existing) throw new GenbenchError('NOT_FOUND', `${o.out}: no checkpoint to resume (genbench.json missing); run without --resume first`);
  const state = await readState(existing, net);
  for (const key of ['model', 'dataset', 'split', 'batch', 'seed', 'backend', 'resize', 'target', 'variant'] as const) {
    if (state[key] !== o.settings[key]) {
      throw new GenbenchError('USAGE', `--resume: the checkpoint in ${o.out} was trained with ${key} '${state[key]}', not '${o.settings[key]}'; pass the same flags as the first run`);
    }
  }
  run.counters = { epoch: state.epoch, step_in_epoch: state.step_in_epoch, step: state.step, train_seconds: state.train_seconds };
  run.curve = await readCurve(existing, state.step);
  run.checkpoint = existing;
}

async function loop(run: Run): Promise<TrainResult['status']> {
  const { o, data, stepsPerEpoch } = run;
  const s = o.settings;
  const epochs = o.epochs ?? (o.minutes === undefined && o.maxSteps === undefined ? o.model.defaults.epochs : Infinity);
  const deadline = o.minutes === undefined ? Infinity : performance.now() + o.minutes * 60_000;
  const bar = startProgress(o, epochs, run);
  try {
    while (run.counters.epoch < epochs) {
      const order = data.epochOrder(s.seed, run.counters.epoch);
      while (run.counters.step_in_epoch < stepsPerEpoch) {
        const stop = o.signal?.aborted ? 'interrupted' : performance.now() >= deadline ? 'time-limit' : o.maxSteps !== undefined && run.counters.step >= o.maxSteps ? 'step-limit' : null;
        if (stop === 'interrupted') return stop;
        if (stop) {
          if (run.checkpoint === null || (run.session.steps > 0 && run.curve.epochs.at(-1)?.step !== run.counters.step)) await finishPeriod(run, false); // not twice for one step
          return stop;
        }
        const losses = timedStep(run, order);
        bar.tick(losses);
        await new Promise((r) => setImmediate(r)); // lets SIGINT and timers run between steps
      }
      run.counters.epoch += 1;
      run.counters.step_in_epoch = 0;
      await finishPeriod(run, true);
    }
    return 'completed';
  } finally {
    bar.stop();
  }
}

function timedStep(run: Run, order: EpochOrder): Scalars {
  const { o, net, data, counters } = run;
  const t0 = performance.now();
  const batch = data.batch(order, counters.step_in_epoch, o.settings.batch);
  let losses: Scalars;
  try {
    losses = net.step(batch, new Rng(o.settings.seed).fork(`step-${counters.step}`));
  } finally {
    disposeBatch(batch);
  }
  const dt = (performance.now() - t0) / 1000;
  run.session.steps += 1;
  run.session.seconds += dt;
  addStep(run.curve, counters.step, counters.epoch, losses);
  counters.step += 1;
  counters.step_in_epoch += 1;
  counters.train_seconds += dt;
  return losses;
}

/** End of an epoch (or of a time/step budget): held-out metrics, sample grid, checkpoint, one log line. */
async function finishPeriod(run: Run, epochEnd: boolean): Promise<void> {
  const { o, net, counters, stepsPerEpoch, shape } = run;
  const s = o.settings;
  const epoch = counters.epoch + counters.step_in_epoch / stepsPerEpoch;
  const last = run.curve.epochs.at(-1);
  const record = {
    epoch,
    step: counters.step,
    train_seconds: round(counters.train_seconds, 3),
    images_per_s: round(imagesPerSecond(run), 1),
    mean_losses: meanLosses(run.curve, last?.step ?? 0),
    heldout: evaluateHeldOut(net, run.heldOut, s.seed),
  };
  run.curve.epochs.push(record);
  const tag = epochEnd ? `epoch-${String(counters.epoch).padStart(3, '0')}` : `step-${String(counters.step).padStart(6, '0')}`;
  await writePreview(net, s.seed, join(o.out, 'samples', `${tag}.png`), run.heldOut ?? run.data);
  const imageShape: [number, number, number] = [shape.height, shape.width, shape.channels];
  const manifest = buildManifest(o.model, net, s, { imageShape, license: o.license ?? 'see the dataset', training: { epochs: round(epoch, 4), steps: counters.step, train_seconds: record.train_seconds, images_per_s: record.images_per_s, heldout: record.heldout } });
  const state = await encodeState(net, { ...s, ...counters });
  const curveText = JSON.stringify(run.curve) + '\n';
  run.checkpoint = await writeCheckpoint({
    out: o.out,
    step: counters.step,
    model: net.exported,
    manifest,
    validate: (m) => validateManifest(o.model.role, m),
    extra: { 'state.json': state.json, 'state.bin': state.bin, [CURVE_FILE]: curveText },
    ...(net.onnx ? { onnx: net.onnx } : {}),
    ...(o.model.role === 'classifier' ? { sideManifests: { 'features.json': featuresManifest(net, String(manifest['name']), imageShape) } } : {}),
  });
  await writeFileAtomic(join(o.out, CURVE_FILE), curveText);
  o.log?.(epochLine(record, run.checkpoint));
}

function epochLine(r: LossCurve['epochs'][number], checkpoint: string): string {
  const fmt = (x: Scalars | null): string[] => Object.entries(x ?? {}).map(([k, v]) => `${k} ${v.toPrecision(4)}`);
  const parts = [...fmt(r.mean_losses), ...fmt(r.heldout).map((p) => `held-out ${p}`), `${r.images_per_s} img/s`];
  return `epoch ${round(r.epoch, 2)} (step ${r.step}): ${parts.join(', ')}; checkpoint ${checkpoint}`;
}

interface Bar {
  tick(losses: Scalars): void;
  stop(): void;
}

/** Progress in steps (epochs mode) or in seconds (minutes mode), losses and images/s as the trailing text. */
function startProgress(o: TrainOptions, epochs: number, run: Run): Bar {
  const p = o.progress ?? silentProgress;
  const bySteps = Number.isFinite(epochs) || o.minutes === undefined;
  const total = bySteps ? Math.min(epochs * run.stepsPerEpoch, o.maxSteps ?? Infinity) : Math.max(1, Math.round((o.minutes ?? 0) * 60));
  p.start(total, `train ${o.model.name}`);
  if (bySteps) p.tick(Math.min(total, run.counters.step), '');
  const t0 = performance.now();
  let shown = 0;
  return {
    tick(losses) {
      const info = `ep ${run.counters.epoch + 1} ${Object.entries(losses).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(' ')} ${Math.round(imagesPerSecond(run))} img/s`;
      if (bySteps) return p.tick(1, info);
      const secs = Math.min(total, Math.floor((performance.now() - t0) / 1000));
      p.tick(secs - shown, info);
      shown = secs;
    },
    stop: () => p.stop(),
  };
}

function imagesPerSecond(run: Run): number {
  return run.session.seconds > 0 ? (run.session.steps * run.o.settings.batch) / run.session.seconds : 0;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
