import { describe, expect, it } from 'vitest';
import { normaliseHumanScores } from '../../src/server/human.js';
import { buildBoards, preprocessingText } from '../../src/server/leaderboard.js';
import type { EvaluationRecord } from '../../src/store/evaluations.js';
import type { ModelRecord } from '../../src/store/models.js';
import { fakeReport } from '../store/conformance.js';

const model = (id: string, name = id): ModelRecord => ({ id, name, kind: 'submission', format: 'onnx', licence: 'MIT', dataset: 'mnist', manifest: {}, curveSha256: null, createdAt: '2025-01-01T00:00:00Z' });
let seq = 0;
function evaluation(modelId: string, fd: number, opts: { verified?: boolean; at?: string; dataset?: string; ci?: number } = {}): EvaluationRecord {
  const report = fakeReport(fd, opts.dataset === undefined ? {} : { dataset: opts.dataset });
  const ci = opts.ci ?? 2;
  return {
    id: `e${seq++}`,
    modelId,
    submissionId: null,
    dataset: report.dataset.name,
    extractor: report.recipe.extractor.id,
    recipeKey: 'k'.repeat(64),
    protocolKey: 'p'.repeat(64),
    verified: opts.verified ?? true,
    nGenerated: 100,
    report: { ...report, metrics: { fd: { value: fd, ci95: [fd - ci, fd + ci] }, precision: { value: 0.5 } } },
    gridSha256: null,
    nnSha256: null,
    createdAt: opts.at ?? '2025-01-02T00:00:00Z',
  };
}

describe('buildBoards', () => {
  it('makes one board per dataset and extractor, one row per model, ranked in bands on FD', () => {
    const boards = buildBoards({
      models: [model('a'), model('b'), model('c'), model('d')],
      evaluations: [
        evaluation('a', 30, { at: '2025-01-01T00:00:00Z' }),
        evaluation('a', 10, { at: '2025-01-03T00:00:00Z' }), // newer: replaces the 30
        evaluation('b', 11),
        evaluation('c', 20),
        evaluation('d', 5, { dataset: 'pneumoniamnist' }),
      ],
      human: new Map(),
    });
    expect(boards.map((b) => b.dataset)).toEqual(['mnist', 'pneumoniamnist']);
    const mnist = boards[0]!;
    expect(mnist.primary).toBe('fd');
    expect(mnist.metrics).toEqual(['fd', 'precision']);
    expect(mnist.higherIsBetter).toEqual({ fd: false, precision: true });
    expect(mnist.labels).toEqual({ fd: 'FD', precision: 'precision' }); // the descriptors' display labels
    expect(mnist.rows.map((r) => [r.modelId, r.rank])).toEqual([['a', 1], ['b', 1], ['c', 3]]); // a [8,12] and b [9,13] overlap
    expect(mnist.history.map((h) => h.value)).toEqual([30, 11, 20, 10]);
    expect(mnist.rows[0]!.recipe).toMatchObject({ extractor: 'mobilenet-v1-0.75', weights: 'dddddddddddd', preprocessing: '224x224 bilinear [-1,1] 3ch' });
    expect(mnist.humanVsFd).toEqual({ rho: null, n: 0 });
  });

  it('prefers a verified evaluation over a newer self-reported one', () => {
    const [board] = buildBoards({ models: [model('a')], evaluations: [evaluation('a', 10, { verified: true, at: '2025-01-01T00:00:00Z' }), evaluation('a', 1, { verified: false, at: '2025-02-01T00:00:00Z' })], human: new Map() });
    expect(board!.rows).toHaveLength(1);
    expect(board!.rows[0]).toMatchObject({ verified: true, metrics: { fd: { value: 10 } } });
    expect(board!.selfReported).toEqual([]);
  });

  it('never ranks self-reported numbers, nor lets them add a column or a board', () => {
    const claim = evaluation('s', 0.01, { verified: false });
    const extra = { ...claim, report: { ...claim.report, metrics: { ...claim.report.metrics, bogus: { value: 1 } } } };
    const elsewhere = evaluation('t', 0.01, { verified: false, dataset: 'pneumoniamnist' });
    const boards = buildBoards({ models: [model('a'), model('s'), model('t')], evaluations: [evaluation('a', 30), extra, elsewhere], human: new Map() });
    expect(boards.map((b) => b.dataset)).toEqual(['mnist']);
    const [board] = boards;
    expect(board!.rows.map((r) => [r.modelId, r.rank])).toEqual([['a', 1]]);
    expect(board!.metrics).toEqual(['fd', 'precision']);
    expect(board!.selfReported.map((r) => [r.modelId, r.rank, Object.keys(r.metrics)])).toEqual([['s', null, ['fd', 'precision']]]);
    expect(board!.history.map((h) => h.value)).toEqual([30]);
    expect(buildBoards({ models: [model('s')], evaluations: [claim], human: new Map() })).toEqual([]);
  });

  it('adds human scores and their Spearman correlation with FD', () => {
    const human = normaliseHumanScores([
      { modelId: 'a', value: 0.4, ci95: [0.3, 0.5], raters: 5, votes: 100 },
      { modelId: 'b', value: 0.3, ci95: null },
      { modelId: 'c', value: 0.1 },
      { modelId: 'x', value: null },
    ]);
    expect(human.get('b')).toEqual({ value: 0.3 });
    expect(human.has('x')).toBe(false);
    const [board] = buildBoards({ models: [model('a'), model('b'), model('c')], evaluations: [evaluation('a', 10), evaluation('b', 20), evaluation('c', 30)], human });
    expect(board!.rows[0]!.human).toEqual({ value: 0.4, ci95: [0.3, 0.5], raters: 5, votes: 100 });
    expect(board!.humanVsFd).toEqual({ rho: -1, n: 3 }); // lower FD, higher human error rate: perfectly anti-correlated
  });

  it('accepts human scores as a Map or a record too', () => {
    expect(normaliseHumanScores(new Map([['m', { score: 0.2, interval: { lo: 0.1, hi: 0.3 } }]])).get('m')).toEqual({ value: 0.2, ci95: [0.1, 0.3] });
    expect(normaliseHumanScores({ m: { value: 0.2 } }).get('m')).toEqual({ value: 0.2 });
    expect(normaliseHumanScores(undefined).size).toBe(0);
  });

  it('shows the memorisation checks as one verdict per row, not as metric columns', () => {
    const check = (value: number, copying: boolean, extra: Record<string, unknown> = {}) => ({ value, copying, ...extra });
    const withChecks = (e: EvaluationRecord, copying: boolean): EvaluationRecord => ({
      ...e,
      report: { ...e.report, metrics: { ...e.report.metrics, copy_rate: check(copying ? 0.2 : 0.01, copying), closer_to_train_share: check(0.8, false, { p_value: 0.41 }), mifid_term: check(0.2, false), ct: check(copying ? -5 : 0.3, copying) } },
    });
    const [board] = buildBoards({ models: [model('a'), model('b'), model('c')], evaluations: [withChecks(evaluation('a', 10), false), withChecks(evaluation('b', 20), true), evaluation('c', 30)], human: new Map() });
    expect(board!.metrics).toEqual(['fd', 'precision']);
    expect(board!.rows.map((r) => r.memorisation)).toEqual([
      'memorisation: no copying detected (copy_rate 0.01, closer-to-train p=0.41, C_T 0.3)',
      'memorisation: COPYING flagged by copy_rate, ct',
      null,
    ]);
  });

  it('summarises preprocessing', () => {
    expect(preprocessingText({ height: 299, width: 299, filter: 'bicubic', range: [0, 1], channels: 3 })).toBe('299x299 bicubic [0,1] 3ch');
  });
});
