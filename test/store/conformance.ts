import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/io/report.js';
import {
  createModel,
  createSubmission,
  createToken,
  endAttempt,
  getEvaluation,
  getModel,
  getSubmission,
  listEvaluations,
  listModels,
  listSubmissions,
  listTokens,
  migrate,
  putEvaluation,
  revokeToken,
  runMigrations,
  setSubmissionStatus,
  startAttempt,
  submissionFiles,
  verifyToken,
  type Migration,
  type Sql,
} from '../../src/store/index.js';

/**
 * The store conformance suite: every Sql implementation (SQLite here, PostgreSQL in postgres.test.ts) must pass it.
 * `makeSql` returns a handle on a fresh, empty database; the suite closes it after each test.
 *
 * @example
 * storeConformance('sqlite', async () => openSqlite(':memory:')); // or storeConformance(makeSql)
 */
export function storeConformance(label: string, makeSql: () => Promise<Sql>): void;
export function storeConformance(makeSql: () => Promise<Sql>, label?: string): void;
export function storeConformance(a: string | (() => Promise<Sql>), b?: string | (() => Promise<Sql>)): void {
  const label = typeof a === 'string' ? a : typeof b === 'string' ? b : 'sql';
  const makeSql = (typeof a === 'function' ? a : b) as () => Promise<Sql>;
  describe(`store conformance: ${label}`, () => {
    let sql: Sql;
    beforeEach(async () => {
      sql = await makeSql();
    });
    afterEach(async () => {
      await sql.close();
    });

    it('runs statements with ? placeholders and reports changes', async () => {
      await sql.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL, x REAL, s TEXT)');
      expect(await sql.run('INSERT INTO t (id, n, x, s) VALUES (?, ?, ?, ?)', ['a', 1, 0.5, null])).toEqual({ changes: 1 });
      await sql.run('INSERT INTO t (id, n, x, s) VALUES (?, ?, ?, ?)', ['b', 2, 1.5, "it's <b>"]);
      expect(await sql.run('INSERT INTO t (id, n) VALUES (?, ?) ON CONFLICT (id) DO NOTHING', ['a', 9])).toEqual({ changes: 0 });
      expect(await sql.get('SELECT n, x, s FROM t WHERE id = ?', ['b'])).toEqual({ n: 2, x: 1.5, s: "it's <b>" });
      expect(await sql.get('SELECT n FROM t WHERE id = ?', ['zz'])).toBeUndefined();
      expect((await sql.all<{ id: string }>('SELECT id FROM t ORDER BY id')).map((r) => r.id)).toEqual(['a', 'b']);
      expect(await sql.run('UPDATE t SET n = n + 10', [])).toEqual({ changes: 2 });
      await sql.run('INSERT INTO t (id, n) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET n = excluded.n', ['a', 7]);
      expect(await sql.get('SELECT n FROM t WHERE id = ?', ['a'])).toEqual({ n: 7 });
    });

    it('commits a transaction that resolves and rolls back one that throws', async () => {
      await sql.exec('CREATE TABLE t (id TEXT PRIMARY KEY)');
      expect(await sql.transaction(async (tx) => (await tx.run('INSERT INTO t (id) VALUES (?)', ['a'])).changes)).toBe(1);
      await expect(
        sql.transaction(async (tx) => {
          await tx.run('INSERT INTO t (id) VALUES (?)', ['b']);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await sql.all('SELECT id FROM t ORDER BY id')).toEqual([{ id: 'a' }]);
    });

    it('serialises concurrent read-modify-write transactions', async () => {
      await sql.exec('CREATE TABLE c (id TEXT PRIMARY KEY, n INTEGER NOT NULL)');
      await sql.run('INSERT INTO c (id, n) VALUES (?, ?)', ['x', 0]);
      const bump = () =>
        sql.transaction(async (tx) => {
          const row = await tx.get<{ n: number }>('SELECT n FROM c WHERE id = ?', ['x']);
          await new Promise((r) => setTimeout(r, 1));
          await tx.run('UPDATE c SET n = ? WHERE id = ?', [Number(row!.n) + 1, 'x']);
        });
      await Promise.all(Array.from({ length: 20 }, bump));
      expect(Number((await sql.get<{ n: number }>('SELECT n FROM c WHERE id = ?', ['x']))!.n)).toBe(20);
    });

    it('applies migrations once, in id order, and refuses unknown ones', async () => {
      const order: string[] = [];
      const ms: Migration[] = [
        { id: '0200-b', up: async () => void order.push('b') },
        { id: '0199-a', up: 'CREATE TABLE a1 (id TEXT PRIMARY KEY);\nCREATE TABLE a2 (id TEXT PRIMARY KEY)' },
      ];
      expect(await runMigrations(sql, ms)).toEqual(['0199-a', '0200-b']);
      expect(order).toEqual(['b']);
      expect(await runMigrations(sql, ms)).toEqual([]);
      await sql.run('INSERT INTO a2 (id) VALUES (?)', ['ok']);
      await expect(runMigrations(sql, ms.slice(1))).rejects.toThrow(/does not know \(0200-b\)/);
    });

    it('rolls back a failing migration with its record', async () => {
      const bad: Migration[] = [{ id: '0300-bad', up: 'CREATE TABLE ok1 (id TEXT PRIMARY KEY);\nCREATE TABLE ok1 (id TEXT PRIMARY KEY)' }];
      await expect(runMigrations(sql, bad)).rejects.toThrow();
      expect(await sql.all("SELECT id FROM schema_migrations WHERE id = '0300-bad'")).toEqual([]);
      await sql.exec('CREATE TABLE ok1 (id TEXT PRIMARY KEY)'); // proves the first statement was rolled back
    });

    describe('with the genbench schema', () => {
      beforeEach(async () => {
        expect((await migrate(sql)).length).toBeGreaterThan(0);
      });

      it('verifies tokens by secret, rejects wrong, malformed and revoked ones', async () => {
        const { token, info } = await createToken(sql, { name: 'alice' });
        expect(token).toMatch(/^gb_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
        expect(await verifyToken(sql, token)).toEqual(info);
        expect(await verifyToken(sql, token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
        expect(await verifyToken(sql, 'nonsense')).toBeUndefined();
        expect(await verifyToken(sql, undefined)).toBeUndefined();
        const stored = await sql.all<{ hash: string }>('SELECT hash FROM tokens');
        expect(stored.some((r) => token.includes(r.hash))).toBe(false);
        expect(await revokeToken(sql, info.id)).toBe(true);
        expect(await revokeToken(sql, info.id)).toBe(false);
        expect(await verifyToken(sql, token)).toBeUndefined();
        expect((await listTokens(sql))[0]).toMatchObject({ name: 'alice', revoked: true, admin: false });
      });

      it('stores models, submissions with files, and status changes', async () => {
        const sha = 'a'.repeat(64);
        const { submission, model } = await createSubmission(sql, {
          model: { name: '<b>m</b>', kind: 'submission', format: 'onnx', manifest: { name: '<b>m</b>', license: 'MIT', dataset: 'mnist' } },
          files: [{ name: 'g.onnx', sha256: sha, size: 3_000_000_000 }],
          mainFile: 'g.onnx',
          dataset: 'mnist',
        });
        expect(await getModel(sql, model.id)).toMatchObject({ name: '<b>m</b>', licence: 'MIT', dataset: 'mnist', manifest: { license: 'MIT' } });
        expect((await getSubmission(sql, submission.id))?.status).toBe('queued');
        expect(await submissionFiles(sql, submission.id)).toEqual([{ name: 'g.onnx', sha256: sha, size: 3_000_000_000 }]);
        await setSubmissionStatus(sql, submission.id, 'failed', { error: 'bad', jobId: 'j1' });
        expect(await getSubmission(sql, submission.id)).toMatchObject({ status: 'failed', error: 'bad', jobId: 'j1' });
        await setSubmissionStatus(sql, submission.id, 'done');
        expect(await getSubmission(sql, submission.id)).toMatchObject({ status: 'done', error: null, jobId: 'j1' });
        expect((await listSubmissions(sql, { status: ['done'] })).map((s) => s.id)).toEqual([submission.id]);
        expect(await listSubmissions(sql, { status: ['queued'] })).toEqual([]);
        expect((await listModels(sql, [model.id])).length).toBe(1);
        // attempts: counted at the start, kept with the last error when re-queued, given back when uncounted
        expect(submission.attempts).toBe(0);
        expect(await startAttempt(sql, submission.id)).toBe(1);
        expect(await startAttempt(sql, submission.id)).toBe(2);
        await endAttempt(sql, submission.id, { error: 'attempt 2 of 3 failed: timed out' });
        expect(await getSubmission(sql, submission.id)).toMatchObject({ status: 'queued', attempts: 2, error: 'attempt 2 of 3 failed: timed out' });
        await startAttempt(sql, submission.id);
        await endAttempt(sql, submission.id, { uncount: true });
        expect(await getSubmission(sql, submission.id)).toMatchObject({ status: 'queued', attempts: 2, error: 'attempt 2 of 3 failed: timed out' });
      });

      it('keeps one evaluation per model and recipe, replacing on a second put', async () => {
        const m = await createModel(sql, { name: 'm', kind: 'reference', format: 'onnx', manifest: {} });
        const first = await putEvaluation(sql, { modelId: m.id, report: fakeReport(40), verified: false });
        const second = await putEvaluation(sql, { modelId: m.id, report: fakeReport(30), verified: true, gridSha256: 'b'.repeat(64) });
        expect(second.id).toBe(first.id);
        const all = await listEvaluations(sql, { dataset: 'mnist' });
        expect(all).toHaveLength(1);
        expect(all[0]).toMatchObject({ verified: true, extractor: 'mobilenet-v1-0.75', nGenerated: 100, gridSha256: 'b'.repeat(64) });
        expect(all[0]!.report.metrics['fd']?.value).toBe(30);
        await putEvaluation(sql, { modelId: m.id, report: { ...fakeReport(20), recipe: { ...fakeReport(20).recipe, n: { generated: 200, reference: 100 } } }, verified: true });
        expect(await listEvaluations(sql, { modelId: m.id })).toHaveLength(2);
        expect(await listEvaluations(sql, { extractor: 'other' })).toEqual([]);
        expect((await getEvaluation(sql, first.id))?.report.metrics['fd']?.value).toBe(30);
      });

      it('enforces foreign keys', async () => {
        await expect(sql.run('INSERT INTO submission_files (submission_id, name, sha256) VALUES (?, ?, ?)', ['nope', 'x', 'c'.repeat(64)])).rejects.toThrow();
      });
    });
  });
}

/** A small valid genbench.report/v1 for store tests, shaped like evaluate()'s: 100 seeded random rows of the whole split. */
export function fakeReport(fd: number, opts: { name?: string; dataset?: string; created?: string } = {}): Report {
  const sha = 'd'.repeat(64);
  return {
    schema: 'genbench.report/v1',
    created: opts.created ?? '2025-01-01T00:00:00.000Z',
    model: { name: opts.name ?? 'm', path: 'm.onnx', format: 'onnx', files: { 'm.onnx': sha }, manifest: {}, engine: 'onnxruntime' },
    dataset: { name: opts.dataset ?? 'mnist', split: 'test[8000:10000]', count: 100, files: [], imagesSha256: sha, labelled: true },
    recipe: {
      extractor: { id: 'mobilenet-v1-0.75', weightsSha256: sha, layers: { features: 'gap' }, preprocessing: { height: 224, width: 224, filter: 'bilinear', range: [-1, 1], channels: 3 } },
      n: { generated: 100, reference: 100 },
      seeds: { sampling: 0, metrics: {}, bootstrap: 0 },
      sampling: { labels: 'none', quantisation: 'uint8' },
      metrics: ['fd'],
      params: {},
      bootstrap: { resamples: 10, level: 0.95, method: 'percentile', resampleReference: true, covers: 'both sets' },
      reference: { split: 'test[8000:10000]', count: 100, of: 2000, seed: 0, rowsSha256: 'e'.repeat(64) },
      genbench: '0.1.0',
      backend: { tfjs: null, generator: 'onnxruntime', extractor: 'onnxruntime' },
    },
    metrics: { fd: { value: fd, ci95: [fd - 2, fd + 2] }, precision: { value: 0.5 } },
    timings: { sample: { seconds: 0 }, featuresGenerated: { seconds: 0 }, featuresReference: { seconds: 0, cached: false }, metrics: { seconds: 0 }, total: { seconds: 0 } },
    warnings: [],
    run: { extractor: 'mobilenet-v1-0.75' },
  };
}
