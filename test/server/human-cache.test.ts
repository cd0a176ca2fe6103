import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedHumanScores, ratingFingerprint } from '../../src/server/human.js';
import { openStore } from '../../src/store/index.js';
import { createModel } from '../../src/store/models.js';
import type { Sql } from '../../src/store/sql.js';

/** A loader that counts its calls and answers with the call number. */
function counting() {
  const calls: string[][] = [];
  const fn = async (_sql: Sql, o: { modelIds: readonly string[] }) => {
    calls.push([...o.modelIds]);
    await new Promise((r) => setTimeout(r, 5));
    return [{ modelId: o.modelIds[0], value: calls.length }];
  };
  return { fn, calls };
}
const sql = {} as Sql;

describe('cachedHumanScores', () => {
  it('computes once per set of models while the fingerprint holds, concurrent callers included', async () => {
    const { fn, calls } = counting();
    const cached = cachedHumanScores(fn, { fingerprint: async () => 'fp' });
    const [a, b] = await Promise.all([cached(sql, { modelIds: ['m2', 'm1'] }), cached(sql, { modelIds: ['m1', 'm2'] })]);
    expect(a).toBe(b);
    expect(await cached(sql, { modelIds: ['m1', 'm2'] })).toEqual([{ modelId: 'm2', value: 1 }]);
    expect(calls).toHaveLength(1);
    await cached(sql, { modelIds: ['m3'] });
    expect(calls).toEqual([['m2', 'm1'], ['m3']]);
    cached.invalidate();
    await cached(sql, { modelIds: ['m3'] });
    expect(calls).toHaveLength(3);
  });

  it('recomputes when the fingerprint changes (a vote) or the entry is older than the TTL', async () => {
    const { fn, calls } = counting();
    let fp = 'votes=1';
    let clock = 0;
    const cached = cachedHumanScores(fn, { fingerprint: async () => fp, ttlMs: 1000, now: () => clock });
    await cached(sql, { modelIds: ['m1'] });
    clock = 999;
    await cached(sql, { modelIds: ['m1'] });
    expect(calls).toHaveLength(1);
    fp = 'votes=2';
    expect(await cached(sql, { modelIds: ['m1'] })).toEqual([{ modelId: 'm1', value: 2 }]);
    clock = 999 + 1000;
    await cached(sql, { modelIds: ['m1'] });
    expect(calls).toHaveLength(3);
  });

  it('does not keep failures, and falls back to the TTL when the fingerprint query fails', async () => {
    let fail = true;
    let n = 0;
    const cached = cachedHumanScores(
      async () => {
        n += 1;
        if (fail) throw new Error('boom');
        return [];
      },
      { fingerprint: async () => Promise.reject(new Error('no such table')) },
    );
    await expect(cached(sql, { modelIds: ['m1'] })).rejects.toThrow('boom');
    fail = false;
    await cached(sql, { modelIds: ['m1'] });
    await cached(sql, { modelIds: ['m1'] });
    expect(n).toBe(2);
  });
});

describe('ratingFingerprint', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('changes when a vote is recorded or a rater is flagged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'genbench-fp-'));
    dirs.push(dir);
    const store = await openStore({ db: ':memory:', dataDir: dir });
    try {
      const s = store.sql;
      const m = await createModel(s, { name: 'm', kind: 'baseline', format: 'onnx', manifest: {} });
      await s.run(`INSERT INTO rating_raters (id, token_hash, status, flagged, created_at) VALUES ('r1', 'h1', 'qualified', 0, '2026-01-01')`);
      await s.run(`INSERT INTO rating_trials (id, rater_id, model_id, protocol, phase, kind, image_key, issued_at, status) VALUES ('t1', 'r1', ?, 'inf', 'scored', 'fake', 'k1', 1, 'issued')`, [m.id]);
      const before = await ratingFingerprint(s);
      expect(await ratingFingerprint(s)).toBe(before);
      await s.run(`UPDATE rating_trials SET status = 'voted', answer = 'real', correct = 0, voted_at = 2 WHERE id = 't1'`);
      const voted = await ratingFingerprint(s);
      expect(voted).not.toBe(before);
      await s.run(`UPDATE rating_raters SET flagged = 1 WHERE id = 'r1'`);
      expect(await ratingFingerprint(s)).not.toBe(voted);
    } finally {
      await store.close();
    }
  });
});
