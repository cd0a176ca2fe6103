import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Progress } from '../progress.js';
import type { ReferenceEntry } from './plan.js';

/**
 * Trains one reference model for the demo with the shared training loop behind `genbench train`
 * (reference-models/train-loop.ts), on the entry's dataset split for its share of the time budget and at its batch
 * size, into `<workDir>/runs/<name>`. A run folder that already holds a checkpoint is reused as it is (re-running
 * the demo trains nothing again). The result names what the evaluation and the leaderboard need: the run folder
 * (loadable as a generator), its manifest and the training curve of the checkpoint.
 *
 * @example
 * const run = await trainReference(entry, { workDir: 'genbench.db.demo', seed: 0 });
 * run.generator;  // 'genbench.db.demo/runs/dcgan-mnist'
 * run.curvePath;  // 'genbench.db.demo/runs/dcgan-mnist/ckpt-000120/loss-curve.json'
 * run.reused;     // false the first time, true afterwards
 */
export interface TrainedRun {
  readonly generator: string;
  readonly manifest: Record<string, unknown>;
  readonly curvePath: string;
  readonly reused: boolean;
  /** Steps and images/s of this invocation (0 when reused). */
  readonly steps: number;
  readonly imagesPerSecond: number;
}

export interface TrainReferenceOptions {
  readonly workDir: string;
  readonly seed: number;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

export async function trainReference(entry: ReferenceEntry, opts: TrainReferenceOptions): Promise<TrainedRun> {
  const out = join(opts.workDir, 'runs', entry.name);
  const { getReferenceModel, train } = await import('../../reference-models/index.js'); // loads tfjs
  const { latestCheckpoint } = await import('../../reference-models/checkpoint.js');
  const existing = await latestCheckpoint(out);
  if (existing !== null) return { ...(await describeRun(out, existing)), reused: true, steps: 0, imagesPerSecond: 0 };

  const model = getReferenceModel(entry.model);
  const { openDataset } = await import('../data/index.js');
  const ds = await openDataset(entry.dataset);
  const { initBackend } = await import('../backend/index.js');
  const backend = await initBackend();
  const data = await ds.load(entry.split, opts.progress === undefined ? {} : { progress: opts.progress });
  const classes = ds.classNames?.length ?? (data.labels ? Math.max(...data.labels) + 1 : 0);
  const r = await train({
    model,
    train: data,
    classes,
    settings: { model: model.name, dataset: entry.dataset, split: data.split, batch: entry.batch, seed: opts.seed, backend: backend.name },
    out,
    minutes: entry.minutes,
    license: ds.license,
    ...(opts.progress === undefined ? {} : { progress: opts.progress }),
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    ...(opts.log === undefined ? {} : { log: opts.log }),
  });
  if (r.checkpoint === null) throw new Error(`internal: training ${entry.name} ended (${r.status}) without a checkpoint`);
  return { ...(await describeRun(out, r.checkpoint)), reused: false, steps: r.step, imagesPerSecond: r.imagesPerSecond };
}

async function describeRun(out: string, checkpoint: string): Promise<Pick<TrainedRun, 'generator' | 'manifest' | 'curvePath'>> {
  const manifest = JSON.parse(await readFile(join(out, 'genbench.json'), 'utf8')) as Record<string, unknown>;
  return { generator: out, manifest, curvePath: join(checkpoint, 'loss-curve.json') };
}
