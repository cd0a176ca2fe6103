import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeRatingPool } from '../rating/images.js';
import type { Store } from '../store/index.js';
import { getModel } from '../store/models.js';
import { listSubmissions } from '../store/submissions.js';
import { checkpointFolder } from './checkpoint-folder.js';
import { checkSamples, DEFAULT_EVALUATION_LIMITS, runSandboxed, type EvaluationLimits } from './sandbox.js';

/**
 * Samples and stores the human-rating pool of a model whose checkpoint is stored but was not evaluated by the
 * server's job (a demo baseline, recordCheckpoint), in the sandbox's child process under `limits`. Does nothing
 * when the pool is stored already; returns whether one is stored now.
 *
 * @example
 * await buildRatingPool(store, modelId, { n: 1000, seed: 0 }); // true: /rate can show the model's samples
 */
export async function buildRatingPool(store: Store, modelId: string, pool: { n: number; seed: number }, opts: { limits?: EvaluationLimits; workDir?: string } = {}): Promise<boolean> {
  const limits = opts.limits ?? DEFAULT_EVALUATION_LIMITS;
  checkSamples(pool.n, limits, 'human-rating pool');
  const row = await store.sql.get<{ sha256: string }>('SELECT sha256 FROM rating_fake_pools WHERE model_id = ? AND seed = ? AND n = ?', [modelId, pool.seed, pool.n]);
  if (row !== undefined && (await store.blobs.has(row.sha256))) return true;
  const model = await getModel(store.sql, modelId);
  const sub = (await listSubmissions(store.sql, { modelId, status: ['done'] })).pop();
  if (model === undefined || sub === undefined) return false;
  const dir = await mkdtemp(join(opts.workDir ?? tmpdir(), 'genbench-pool-'));
  try {
    const manifestName = await checkpointFolder(store, sub, model, dir);
    await runSandboxed({ kind: 'pool', input: { checkpoint: join(dir, manifestName), n: pool.n, seed: pool.seed, out: join(dir, 'pool.npy') } }, limits);
    await storeRatingPool(store, modelId, pool, join(dir, 'pool.npy'));
    return true;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
