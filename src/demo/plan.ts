import { GenbenchError } from '../errors.js';

/**
 * What `genbench demo` does, as data: which reference models it trains (and for how long each), which built-in
 * baselines it evaluates, and with which evaluation settings. The plan is computed before any work, so a bad
 * `--models` list fails at once with the valid names.
 *
 * The training budget `minutes` is shared equally by the trained models; cDCGAN joins DCGAN and the VAE only when
 * the budget is at least CDCGAN_MIN_MINUTES (it needs labels and more time to draw recognisable digits). A budget
 * of 0 trains nothing: the baselines only.
 *
 * @example
 * const plan = planDemo({ ...DEMO_DEFAULTS, minutes: 2 }, baselines);
 * plan.entries.map((e) => e.name); // ['dcgan-mnist', 'vae-mnist', 'cdcgan-mnist', 'mnist-dcgan', 'mnist-vae', ...]
 * plan.entries[0];                 // { kind: 'reference', model: 'dcgan', name: 'dcgan-mnist', minutes: 0.667, batch: 16, ... }
 */
export interface DemoSettings {
  /** Total training time of the reference models, in minutes. */
  readonly minutes: number;
  /** Generated samples per evaluation (also the server's --eval-n when the demo serves). */
  readonly n: number;
  /** Bootstrap resamples for the 95% intervals (0: none). */
  readonly bootstrap: number;
  /** Extractor id (default: the harness's, mobilenet-v1-0.75). */
  readonly extractor?: string;
  /** Only these entries: reference model ids (dcgan, vae, cdcgan) and/or baseline names (mnist-dcgan, ...). */
  readonly models?: readonly string[];
  /** Seed of the initial weights, shuffles and latents. */
  readonly seed: number;
}

export const DEMO_DEFAULTS: DemoSettings = Object.freeze({ minutes: 2, n: 500, bootstrap: 20, seed: 0 });

/** Below this budget (minutes) the demo trains DCGAN and the VAE only. */
export const CDCGAN_MIN_MINUTES = 1.5;

/**
 * The reference models the demo may train, on the seeded random partition `test~0[:8000]` of MNIST test; the other
 * 2000 rows `test~0[8000:]` stay held out for evaluation (the default split of a manifest with that train_split).
 * Random, not the first 8000 rows: MNIST's writers change along its test split, so contiguous blocks are not samples
 * of one distribution and the memorisation checks would read the difference as copying.
 */
export const DEMO_REFERENCE_MODELS = ['dcgan', 'vae', 'cdcgan'] as const;
export type DemoReferenceModel = (typeof DEMO_REFERENCE_MODELS)[number];

/**
 * Images per step of each model the demo trains. Its budget is time, so a smaller batch buys more optimiser steps,
 * and a GAN's first minute needs steps more than images: for its 40 s share of the default 2 minutes (at the idle
 * machine's batch-64 rates), DCGAN at batch 64 (77 steps) scored worse than its untrained network on the
 * `classifier:mnist` features of `test~0[8000:]` (FD 562 vs 492, precision 0), at 16 (307 steps) far better (README,
 * "The demo's own models"). The VAE already draws digits at 64 (603 steps).
 */
export const DEMO_BATCH: Readonly<Record<DemoReferenceModel, number>> = Object.freeze({ dcgan: 16, vae: 64, cdcgan: 16 });
export const DEMO_TRAIN = Object.freeze({ dataset: 'mnist', split: 'test~0[:8000]', heldout: 'test~0[8000:]' });

export interface ReferenceEntry {
  readonly kind: 'reference';
  /** Reference model id (reference-models/index.ts). */
  readonly model: string;
  /** Model name on the leaderboard (what `genbench train` writes into genbench.json). */
  readonly name: string;
  readonly dataset: string;
  readonly split: string;
  readonly minutes: number;
  /** Images per step (DEMO_BATCH). */
  readonly batch: number;
}

export interface BaselineEntry {
  readonly kind: 'baseline';
  readonly name: string;
  /** The checkpoint: X.onnx with X.genbench.json beside it. */
  readonly generator: string;
  readonly dataset: string;
  readonly manifest: Record<string, unknown>;
}

export type DemoEntry = ReferenceEntry | BaselineEntry;

export interface DemoPlan {
  readonly settings: DemoSettings;
  readonly entries: readonly DemoEntry[];
}

export function planDemo(settings: DemoSettings, baselines: readonly BaselineEntry[]): DemoPlan {
  const wanted = settings.models;
  if (wanted !== undefined) checkNames(wanted, baselines);
  const models =
    settings.minutes <= 0
      ? []
      : wanted === undefined
        ? DEMO_REFERENCE_MODELS.filter((m) => m !== 'cdcgan' || settings.minutes >= CDCGAN_MIN_MINUTES)
        : DEMO_REFERENCE_MODELS.filter((m) => wanted.includes(m));
  const each = models.length === 0 ? 0 : settings.minutes / models.length;
  const trained: ReferenceEntry[] = models.map((model) => ({ kind: 'reference', model, name: `${model}-${DEMO_TRAIN.dataset}`, dataset: DEMO_TRAIN.dataset, split: DEMO_TRAIN.split, minutes: each, batch: DEMO_BATCH[model] }));
  const chosen = wanted === undefined ? baselines : baselines.filter((b) => wanted.includes(b.name));
  return { settings, entries: [...trained, ...chosen] };
}

function checkNames(wanted: readonly string[], baselines: readonly BaselineEntry[]): void {
  const valid = [...DEMO_REFERENCE_MODELS, ...baselines.map((b) => b.name)];
  const unknown = wanted.filter((w) => !valid.includes(w));
  if (unknown.length > 0) {
    const hint = baselines.length === 0 ? ' (no baselines here: set GENBENCH_ASSETS to the shared assets for the ONNX baselines)' : '';
    throw new GenbenchError('USAGE', `--models: unknown '${unknown.join("', '")}' (valid: ${valid.join(', ')})${hint}`);
  }
  if (wanted.length === 0) throw new GenbenchError('USAGE', `--models: empty list (valid: ${valid.join(', ')})`);
}

/** `<db>.demo`: the demo's run folders (training checkpoints) and evaluation grids, beside the database. */
export function demoWorkDir(db: string): string {
  return `${db}.demo`;
}
