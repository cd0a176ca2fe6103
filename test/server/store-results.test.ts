import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluationHandler, evaluationRecipe } from '../../src/server/evaluate-job.js';
import { openStore, type Store } from '../../src/store/index.js';
import { listEvaluations } from '../../src/store/evaluations.js';
import { createSubmission, getSubmission } from '../../src/store/submissions.js';
import type { Sql } from '../../src/store/sql.js';
import { fakeReport } from '../store/conformance.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genbench-results-'));
  store = await openStore({ db: join(dir, 'gb.db'), dataDir: join(dir, 'blobs') });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the evaluation job', () => {
  it('stores the report without a grid it could not write, retries a failed report write, and evaluates once', async () => {
    const { submission } = await createSubmission(store.sql, { model: { name: 'm', kind: 'submission', format: 'onnx', manifest: {} }, files: [], mainFile: 'g.onnx', dataset: 'mnist' });
    let evaluations = 0;
    let reportWrites = 0;
    const sql: Sql = Object.assign(Object.create(store.sql) as Sql, {
      run: (q: string, p?: never) => (q.includes('INSERT INTO evaluations') && reportWrites++ === 0 ? Promise.reject(new Error('database is locked')) : store.sql.run(q, p)),
    });
    const blobs = Object.assign(Object.create(store.blobs) as Store['blobs'], {
      putFile: async () => Promise.reject(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })),
    });
    const log: string[] = [];
    const handler = evaluationHandler({
      store: { ...store, sql, blobs },
      evaluate: async (o) => {
        evaluations++;
        await writeFile(o.grid!, 'png'); // where the harness writes its sample grid
        return fakeReport(3);
      },
      log: (line) => log.push(line),
    });
    await handler({ submissionId: submission.id, recipe: evaluationRecipe({ n: 10 }, 'mnist') }, { id: 'j', attempt: 1 });
    handler.close();
    expect(evaluations).toBe(1);
    expect(reportWrites).toBe(2);
    expect(await getSubmission(store.sql, submission.id)).toMatchObject({ status: 'done', attempts: 1 });
    const [stored] = await listEvaluations(store.sql, { modelId: submission.modelId });
    expect(stored?.gridSha256 ?? null).toBeNull();
    expect(stored?.report.warnings).toContain('sample grid not stored: no space left on device');
    expect(log).toEqual([`submission ${submission.id}: sample grid not stored: no space left on device`, `submission ${submission.id}: storing the report failed (try 1 of 3): database is locked`]);
  });
});
