import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/io/report.js';
import { createApp } from '../../src/server/app.js';
import { evaluationRecipe, parseRecipe, serverProtocol, type EvaluateFn } from '../../src/server/evaluate-job.js';
import { runEvaluationFiles, TRAINING_ROWS_UNKNOWN } from '../../src/server/evaluation-run.js';
import { buildBoards } from '../../src/server/leaderboard.js';
import { PROTOCOLS, TRANSLATION_PROTOCOLS } from '../../src/server/protocols.js';
import { translationServerProtocol } from '../../src/server/translation-protocol.js';
import { InProcessQueue } from '../../src/server/queue.js';
import { createModel, listEvaluations, openStore, protocolKey, putEvaluation, runMigrations, type EvaluationRecord, type ModelRecord } from '../../src/store/index.js';
import { openSql } from '../../src/store/open.js';
import { CORE_MIGRATIONS } from '../../src/store/schema.js';
import { fakeReport } from '../store/conformance.js';

/** A report of the mnist protocol shape: n generated against `count` seeded rows of `split`. */
function mnistReport(fd: number, o: { n: number; split: string; count: number; name?: string; copying?: boolean }): Report {
  const r = fakeReport(fd, { name: o.name ?? 'm' });
  const c = o.copying === true;
  const check = (value: number, copying: boolean, extra: Record<string, unknown> = {}) => ({ value, copying, ...extra });
  const checks = o.copying === undefined ? {} : { copy_rate: check(c ? 0.2 : 0.01, c), closer_to_train_share: check(0.8, false, { p_value: 0.41 }), mifid_term: check(0.2, false), ct: check(c ? -5 : 0.3, c) };
  return {
    ...r,
    dataset: { ...r.dataset, split: o.split },
    recipe: { ...r.recipe, extractor: { ...r.recipe.extractor, id: 'classifier:mnist' }, n: { generated: o.n, reference: o.count }, reference: { split: o.split, count: o.count, of: 2000, seed: 0, rowsSha256: 'e'.repeat(64) } },
    metrics: { fd: { value: fd, ci95: [fd - 1, fd + 1] }, ...checks },
  };
}

let seq = 0;
function record(modelId: string, report: Report, at = '2025-01-02T00:00:00Z'): EvaluationRecord {
  return { id: `e${seq++}`, modelId, submissionId: null, dataset: 'mnist', extractor: report.recipe.extractor.id, recipeKey: String(seq).padStart(64, '0'), protocolKey: protocolKey(report), verified: true, nGenerated: report.recipe.n.generated, report, gridSha256: null, nnSha256: null, createdAt: at };
}
const model = (id: string): ModelRecord => ({ id, name: id, kind: 'submission', format: 'onnx', licence: null, dataset: 'mnist', manifest: {}, curveSha256: null, createdAt: '2025-01-01T00:00:00Z' });

describe('one board per protocol', () => {
  const server = { n: 1000, bootstrap: 0 };
  it('takes each dataset protocol from the table; the job recipe carries it', () => {
    expect(serverProtocol({}, 'pneumoniamnist')).toEqual({ split: 'test', n: 468, referenceN: 468, referenceSeed: 0, extractor: 'classifier:pneumoniamnist' });
    expect(serverProtocol(server, 'mnist')).toEqual({ split: 'test[8000:10000]', n: 1000, referenceN: 1000, referenceSeed: 0, extractor: 'classifier:mnist' });
    expect(parseRecipe(evaluationRecipe(server, 'mnist'))).toMatchObject({ dataset: 'mnist', n: 1000, split: 'test[8000:10000]', referenceN: 1000, referenceSeed: 0, extractor: 'classifier:mnist' });
    expect([...PROTOCOLS.keys()]).toEqual(['mnist', 'fashion-mnist', 'pneumoniamnist', 'polygons']);
  });

  it('ranks only the server protocol; the same model under another n lands apart', () => {
    const evaluations = [
      record('a', mnistReport(65.1, { n: 500, split: 'test[8000:8500]', count: 500 }), '2025-01-01T00:00:00Z'),
      record('a', mnistReport(54.7, { n: 1000, split: 'test[8000:10000]', count: 1000, copying: false })),
      record('b', mnistReport(54.1, { n: 1000, split: 'test[0:1000]', count: 1000 })),
      record('c', mnistReport(60, { n: 1000, split: 'test[8000:10000]', count: 1000, copying: true })),
    ];
    const [board, ...rest] = buildBoards({ evaluations, models: [model('a'), model('b'), model('c')], human: new Map(), protocols: (d) => serverProtocol(server, d) });
    expect(rest).toEqual([]);
    expect(board!.protocol).toMatchObject({ split: 'test[8000:10000]', n: 1000, reference: 1000, referenceSeed: 0, extractor: 'classifier:mnist' });
    expect(board!.rows.map((r) => [r.modelId, r.metrics['fd']!.value, r.rank])).toEqual([['a', 54.7, 1], ['c', 60, 2]]);
    expect(board!.rows.map((r) => r.memorisation)).toEqual(['memorisation: no copying detected (copy_rate 0.01, closer-to-train p=0.41, C_T 0.3)', 'memorisation: COPYING flagged by copy_rate, ct']);
    expect(board!.otherProtocols.map((o) => [o.protocol.split, o.protocol.n, o.rows.map((r) => [r.modelId, r.metrics['fd']!.value, r.rank])])).toEqual([
      ['test[0:1000]', 1000, [['b', 54.1, null]]],
      ['test[8000:8500]', 500, [['a', 65.1, null]]],
    ]);
    expect(board!.history.map((h) => h.value)).toEqual([54.7, 60]);
  });

  it('runs the memorisation checks against the whole training split when the manifest names no training rows', async () => {
    const seen: Array<string | false | undefined> = [];
    const opts: Array<Record<string, unknown>> = [];
    const evaluate: EvaluateFn = async (o) => {
      seen.push(o.trainSplit);
      opts.push({ split: o.split, n: o.n, referenceN: o.referenceN, referenceSeed: o.referenceSeed, extractor: o.extractor });
      return fakeReport(1);
    };
    const recipe = parseRecipe(evaluationRecipe(server, 'mnist'));
    const out = await runEvaluationFiles({ dir: tmpdir(), mainFile: 'g.onnx', manifestName: 'g.genbench.json', manifest: { dataset: 'mnist' }, recipe, panel: false }, evaluate);
    expect(seen).toEqual(['test[0:8000]']);
    expect(opts[0]).toEqual({ split: 'test[8000:10000]', n: 1000, referenceN: 1000, referenceSeed: 0, extractor: 'classifier:mnist' });
    expect(out.report.warnings).toContain(`${TRAINING_ROWS_UNKNOWN} (test[0:8000])`);
  });
});

describe('the leaderboard page and the protocol_key migration', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'genbench-protocols-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('shows the verdict column, the note and other protocols apart', async () => {
    const store = await openStore({ db: join(tmp, 'page.db') });
    try {
      const a = await createModel(store.sql, { name: 'alpha', kind: 'submission', format: 'onnx', manifest: {} });
      const noted = mnistReport(54.7, { n: 1000, split: 'test[8000:10000]', count: 1000, copying: false });
      await putEvaluation(store.sql, { modelId: a.id, report: { ...noted, warnings: [`${TRAINING_ROWS_UNKNOWN} (test[0:8000])`] }, verified: true });
      await putEvaluation(store.sql, { modelId: a.id, report: mnistReport(65.1, { n: 500, split: 'test[8000:8500]', count: 500 }), verified: true });
      const app = createApp({ store, queue: new InProcessQueue(), humanScores: null, evaluation: { n: 1000, bootstrap: 0 } });
      const srv = app.listen(0);
      try {
        const base = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
        const page = await (await fetch(`${base}/`)).text();
        const [ranked, others] = page.split('Other protocols');
        expect(ranked).toContain('Memorisation</th>');
        expect(ranked).toContain('no copying *');
        expect(ranked).toContain(TRAINING_ROWS_UNKNOWN);
        expect(ranked).toContain('Protocol: reference test[8000:10000] (1000, seed 0) · n 1000 · classifier:mnist');
        expect(others).toContain('reference test[8000:8500] (500, seed 0) · n 500');
        expect(others).toContain('not checked');
      } finally {
        srv.close();
      }
    } finally {
      await store.close();
    }
  });

  it('fills protocol_key in from the stored reports', async () => {
    const sql = openSql({ db: join(tmp, 'old.db') });
    try {
      await runMigrations(sql, CORE_MIGRATIONS.filter((m) => m.id < '0007'));
      await sql.run("INSERT INTO models (id, name, kind, format, manifest, created_at) VALUES ('m1', 'old', 'submission', 'onnx', '{}', '2025-01-01')");
      const report = mnistReport(50, { n: 500, split: 'test[8000:8500]', count: 500 });
      await sql.run("INSERT INTO evaluations (id, model_id, dataset, extractor, recipe_key, verified, n_generated, report, created_at) VALUES ('e1', 'm1', 'mnist', 'classifier:mnist', 'k', 1, 500, ?, '2025-01-01')", [JSON.stringify(report)]);
      expect(await runMigrations(sql, CORE_MIGRATIONS.filter((m) => m.id < '0008'))).toEqual(['0007-core-evaluation-protocol']);
      expect((await sql.get<{ protocol_key: string }>('SELECT protocol_key FROM evaluations'))!.protocol_key).toBe(protocolKey(report));
      expect((await listEvaluations(sql))[0]!.protocolKey).toBe(protocolKey(report));
    } finally {
      await sql.close();
    }
  });
});

/** A translator's report on a task: `split`, no features, ranked by `rank`, with these metrics. */
function translationReport(task: string, split: string, rank: string, metrics: Record<string, [number, number, number]>): Report {
  const r = fakeReport(0, { dataset: task });
  const { reference: _reference, ...recipe } = r.recipe;
  const entries = Object.fromEntries(Object.entries(metrics).map(([id, [value, lo, hi]]) => [id, { value, ci95: [lo, hi] as [number, number] }]));
  return { ...r, dataset: { ...r.dataset, split }, recipe: { ...recipe, extractor: { ...recipe.extractor, id: 'none' }, metrics: Object.keys(metrics), rankedBy: rank }, metrics: entries };
}

describe('one board per translation task', () => {
  it('takes each task protocol from the table, shrunk by the server n; the job recipe carries it', () => {
    expect([...TRANSLATION_PROTOCOLS.keys()]).toEqual(['colin27-t1-bet', 'colin27-t1-aal', 'pneumonia-sr2', 'pneumonia-denoise', 'pneumonia-normal-to-pneumonia']);
    expect(translationServerProtocol({}, 'pneumonia-sr2')).toEqual({ split: 'test', extractor: 'classifier:pneumoniamnist', seed: 0, rank: 'ssim' });
    expect(translationServerProtocol({ n: 24, extractor: 'mobilenet-v1-0.25' }, 'pneumonia-sr2')).toEqual({ split: 'test[0:24]', extractor: 'mobilenet-v1-0.25', seed: 0, rank: 'ssim' });
    expect(translationServerProtocol({ n: 1000 }, 'pneumonia-denoise')?.split).toBe('test'); // 468 test pairs: all of them
    expect(translationServerProtocol({ extractor: 'mobilenet-v1-0.25' }, 'colin27-t1-aal')).toEqual({ split: 'test', extractor: 'none', seed: 0, rank: 'dice' });
    expect(translationServerProtocol({}, 'mnist')).toBeUndefined();
    expect(parseRecipe(evaluationRecipe({ n: 24, bootstrap: 20 }, 'pneumonia-sr2'))).toEqual({ task: 'pneumonia-sr2', split: 'test[0:24]', extractor: 'classifier:pneumoniamnist', bootstrap: 20, seed: 0 });
  });

  it('ranks the task protocol by the reports\' rank metric (Dice: higher is better), after the dataset boards', () => {
    const task = 'colin27-t1-aal';
    const on = (modelId: string, report: Report): EvaluationRecord => ({ ...record(modelId, report), dataset: report.dataset.name });
    const evaluations = [
      on('a', translationReport(task, 'test', 'dice', { dice: [0.6, 0.55, 0.65] })),
      on('b', translationReport(task, 'test', 'dice', { dice: [0.8, 0.75, 0.85] })),
      on('c', translationReport(task, 'test[0:10]', 'dice', { dice: [0.9, 0.85, 0.95] })),
      on('d', mnistReport(50, { n: 1000, split: 'test[8000:10000]', count: 1000 })),
    ];
    const settings = { n: 1000 };
    const boards = buildBoards({ evaluations, models: ['a', 'b', 'c', 'd'].map(model), human: new Map(), protocols: (d) => serverProtocol(settings, d), translations: (t) => translationServerProtocol(settings, t) });
    expect(boards.map((b) => [b.kind, b.dataset])).toEqual([['dataset', 'mnist'], ['translation', task]]);
    const board = boards[1]!;
    expect(board).toMatchObject({ primary: 'dice', higherIsBetter: { dice: true }, protocol: { split: 'test', extractor: 'none' } });
    expect(board.rows.map((r) => [r.modelId, r.metrics['dice']!.value, r.rank])).toEqual([['b', 0.8, 1], ['a', 0.6, 2]]);
    expect(board.otherProtocols.map((o) => [o.protocol.split, o.rows.map((r) => r.modelId)])).toEqual([['test[0:10]', ['c']]]);
  });
});
