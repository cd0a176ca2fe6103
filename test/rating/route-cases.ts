import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ratingConfig } from '../../src/rating/protocol.js';
import { humanScores } from '../../src/rating/scores.js';
import { normaliseHumanScores } from '../../src/server/human.js';
import type { RatingOptions } from '../../src/server/routes/rate.js';
import type { Store } from '../../src/store/index.js';
import { createToken } from '../../src/store/tokens.js';
import { addModel, Client, perfectAnswer, startRateServer, syntheticImages, syntheticKind } from './fixtures.js';

/**
 * Route cases of human rating, run on each database (routes.test.ts: SQLite and PostgreSQL). A fake clock drives
 * the server-side timing checks; synthetic images let a test rater be right or wrong on purpose.
 */
export function rateRouteCases(dialect: string, makeStore: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
  const QUAL = 6;
  let store: Store;
  let cleanup: () => Promise<void>;
  let base: string;
  let close: () => Promise<void>;
  let modelId: string;
  const clock = { t: 1_700_000_000_000 };

  async function start(config: Record<string, unknown> = {}, images = syntheticImages(), extra: Partial<RatingOptions> = {}): Promise<void> {
    ({ base, close } = await startRateServer(store, {
      ...extra,
      config: { qualificationTrials: QUAL, vigilanceRate: 0.1, bootstrapIterations: 500, minTimeTrials: 3, minRaters: 1, ...config },
      images,
      seed: 1,
      now: () => clock.t,
    }));
  }

  beforeEach(async () => {
    ({ store, cleanup } = await makeStore());
    modelId = await addModel(store, 'dcgan <b>bold</b>');
  });
  afterEach(async () => {
    await close();
    await cleanup();
  });

  /** One trial and its vote; `answer` decides from the image (default: perfectly). */
  async function rate(c: Client, opts: { protocol?: 'inf' | 'time'; answer?: (img: string) => 'real' | 'fake'; waitMs?: number; timing?: object } = {}) {
    const t = await c.call('/api/rate/trials', { modelId, protocol: opts.protocol ?? 'inf' });
    expect(t.status).toBe(200);
    clock.t += opts.waitMs ?? 1200;
    const answer = (opts.answer ?? perfectAnswer)(t.json.image);
    const v = await c.call(`/api/rate/trials/${t.json.trialId}/vote`, { answer, ...(opts.timing ? { timing: opts.timing } : {}) });
    return { trial: t.json, vote: v };
  }

  describe(`rating routes (${dialect})`, () => {
    it('issues trials without revealing the truth and sets an httpOnly session cookie', async () => {
      await start();
      const c = new Client(base);
      const s = await c.call('/api/rate');
      expect(s.json.rater).toBeNull();
      expect(s.json.models).toEqual([{ id: modelId, name: 'dcgan <b>bold</b>', dataset: 'mnist', task: null }]);
      const t = await c.call('/api/rate/trials', { modelId, protocol: 'inf' });
      expect(t.status).toBe(200);
      expect(t.headers.get('set-cookie')).toMatch(/genbench_rater=[^;]+;.*HttpOnly/i);
      expect(t.headers.get('set-cookie')).toMatch(/SameSite=Strict/i);
      expect(Object.keys(t.json).sort()).toEqual(['exposureMs', 'image', 'modelId', 'phase', 'protocol', 'trialId']);
      expect(t.json.phase).toBe('qualification');
      expect(t.json.image).toMatch(/^data:image\/png;base64,/);
      // the page escapes the model name
      const page = await c.call('/rate');
      expect(page.json).toContain('dcgan &lt;b&gt;bold&lt;/b&gt; (mnist)</option>');
      expect(page.json).not.toContain('<b>bold</b>');
    });

    it('rejects a vote that comes too fast, then refuses a second vote on the same trial', async () => {
      await start();
      const c = new Client(base);
      const t = await c.call('/api/rate/trials', { modelId, protocol: 'inf' });
      clock.t += 50;
      const fast = await c.call(`/api/rate/trials/${t.json.trialId}/vote`, { answer: 'real' });
      expect(fast.status).toBe(422);
      expect(fast.json.error.message).toMatch(/after the trial was issued/);
      clock.t += 2000;
      expect((await c.call(`/api/rate/trials/${t.json.trialId}/vote`, { answer: 'real' })).status).toBe(409);
    });

    it('takes one vote per trial, only from the session that got it, and not too late', async () => {
      await start();
      const a = new Client(base);
      const b = new Client(base);
      const t = await a.call('/api/rate/trials', { modelId, protocol: 'inf' });
      await b.call('/api/rate/trials', { modelId, protocol: 'inf' });
      clock.t += 1000;
      expect((await b.call(`/api/rate/trials/${t.json.trialId}/vote`, { answer: 'real' })).status).toBe(404);
      expect((await new Client(base).call(`/api/rate/trials/${t.json.trialId}/vote`, { answer: 'real' })).status).toBe(401);
      expect((await a.call(`/api/rate/trials/${t.json.trialId}/vote`, { answer: 'real' })).status).toBe(200);
      expect((await a.call(`/api/rate/trials/${t.json.trialId}/vote`, { answer: 'fake' })).status).toBe(409);
      const late = await a.call('/api/rate/trials', { modelId, protocol: 'inf' });
      clock.t += 11 * 60_000;
      expect((await a.call(`/api/rate/trials/${late.json.trialId}/vote`, { answer: 'real' })).status).toBe(410);
      // a new trial abandons the open one
      const t1 = await a.call('/api/rate/trials', { modelId, protocol: 'inf' });
      await a.call('/api/rate/trials', { modelId, protocol: 'inf' });
      clock.t += 1000;
      expect((await a.call(`/api/rate/trials/${t1.json.trialId}/vote`, { answer: 'real' })).status).toBe(409);
      expect((await a.call('/api/rate/trials', { modelId: 'nope', protocol: 'inf' })).status).toBe(404);
      expect((await a.call('/api/rate/trials', { modelId, protocol: 'fast' })).status).toBe(400);
    });

    it('limits votes per minute per session', async () => {
      await start({ limits: { votesPerMinute: 3 }, vigilanceRate: 0 });
      const c = new Client(base);
      for (let i = 0; i < 3; i++) expect((await rate(c, { waitMs: 200 })).vote.status).toBe(200);
      const r = await rate(c, { waitMs: 200 });
      expect(r.vote.status).toBe(429);
      clock.t += 60_000;
      expect((await rate(c)).vote.status).toBe(200);
    });

    it('qualifies a good rater, counts only scored votes, and reports scores with rater-bootstrap intervals', async () => {
      await start();
      const raters = [new Client(base), new Client(base), new Client(base)];
      // raters answer correctly during qualification, then call every 2nd/3rd/4th fake image real
      for (const [k, c] of raters.entries()) {
        let phaseSeen = 'qualification';
        let fakes = 0;
        for (let i = 0; i < QUAL + 40; i++) {
          let given: 'real' | 'fake' = 'real';
          const { vote } = await rate(c, {
            answer: (img) => {
              const kind = syntheticKind(img);
              given = kind === 'real' ? 'real' : 'fake';
              if (phaseSeen === 'scored' && kind === 'fake' && ++fakes % (k + 2) === 0) given = 'real';
              return given;
            },
          });
          expect(vote.status).toBe(200);
          if (phaseSeen === 'qualification') expect(vote.json.correct).toBe(vote.json.truth === given);
          else expect(vote.json).toMatchObject({ correct: null, truth: null, vigilance: null }); // no feedback after qualification
          phaseSeen = vote.json.rater.status === 'qualified' ? 'scored' : 'qualification';
        }
        expect((await c.call('/api/rate')).json.rater).toMatchObject({ status: 'qualified', flagged: false });
      }
      const scores = (await new Client(base).call('/api/rate/scores')).json.scores;
      expect(scores).toHaveLength(1);
      const s = scores[0];
      expect(s.modelId).toBe(modelId);
      expect(s.raters).toBe(3);
      expect(s.inf.realError).toBe(0);
      // fake errors 1/2, 1/3, 1/4 of each rater's fakes: pooled error rate between 1/8 and 1/4
      expect(s.value).toBeGreaterThan(0.1);
      expect(s.value).toBeLessThan(0.26);
      expect(s.ci95[0]).toBeLessThanOrEqual(s.value);
      expect(s.ci95[1]).toBeGreaterThanOrEqual(s.value);
      expect(s.votes).toBeLessThanOrEqual(3 * 40);
      expect(s.votes).toBeGreaterThan(3 * 30); // vigilance trials (about 10%) do not count
      // the leaderboard's reader understands the shape
      expect((await humanScores(store.sql, { modelIds: [modelId] }))[0]).toMatchObject({ value: null, ci95: null, inf: null, ratersBy: { inf: 3 }, minRaters: 5 }); // default: 5 raters
      const norm = normaliseHumanScores(await humanScores(store.sql, { modelIds: [modelId], cfg: ratingConfig({ minRaters: 3, bootstrapIterations: 500 }) }));
      expect(norm.get(modelId)?.value).toBeCloseTo(s.value, 10);
      expect(norm.get(modelId)?.raters).toBe(3);
      const labels = (await new Client(base).call(`/api/rate/models/${modelId}/labels`)).json.labels;
      expect(labels.reduce((a: number, l: { votes: number }) => a + l.votes, 0)).toBe(s.votes);
      for (const l of labels) expect(l.pReal).toBe(l.realVotes / l.votes);
      expect(labels.filter((l: { kind: string }) => l.kind === 'real').every((l: { pReal: number }) => l.pReal === 1)).toBe(true);
      expect((await new Client(base).call('/api/rate/raters')).status).toBe(401);
      const user = await createToken(store.sql, { name: 'user' });
      expect((await fetch(`${base}/api/rate/raters`, { headers: { authorization: `Bearer ${user.token}` } })).status).toBe(403);
      const admin = await createToken(store.sql, { name: 'admin', admin: true });
      const quality = ((await (await fetch(`${base}/api/rate/raters`, { headers: { authorization: `Bearer ${admin.token}` } })).json()) as { raters: { realAccuracy: number; flagged: boolean; flagReason: string | null }[] }).raters;
      expect(quality).toHaveLength(3);
      expect(quality[0].realAccuracy).toBe(1);
      expect(quality.every((q: { flagged: boolean; flagReason: string | null }) => !q.flagged && q.flagReason === null)).toBe(true);
      const html = (await new Client(base).call('/rate/scores')).json;
      expect(html).toContain('HYPE∞ error rate');
    });

    it('limits new rater sessions per client address (429), not trials in an existing session', async () => {
      await start({}, syntheticImages(), { sessionsPerHour: 2 });
      const first = new Client(base);
      for (const c of [first, new Client(base)]) expect((await c.call('/api/rate/trials', { modelId, protocol: 'inf' })).status).toBe(200);
      const third = await new Client(base).call('/api/rate/trials', { modelId, protocol: 'inf' });
      expect(third.status).toBe(429);
      expect(third.json.error.message).toMatch(/too many new rater sessions/);
      expect((await first.call('/api/rate/trials', { modelId, protocol: 'inf' })).status).toBe(200);
      clock.t += 3_600_001;
      expect((await new Client(base).call('/api/rate/trials', { modelId, protocol: 'inf' })).status).toBe(200);
    });

    it('counts new sessions per address in the database: a restarted server keeps the limit', async () => {
      await start({}, syntheticImages(), { sessionsPerHour: 2 });
      for (let i = 0; i < 2; i++) expect((await new Client(base).call('/api/rate/trials', { modelId, protocol: 'inf' })).status).toBe(200);
      await close();
      await start({}, syntheticImages(), { sessionsPerHour: 2 }); // a new process on the same database
      expect((await new Client(base).call('/api/rate/trials', { modelId, protocol: 'inf' })).status).toBe(429);
    });

    it('checks HYPE-time claims against the server clock and caps the trials one rater gets per model', async () => {
      await start({ vigilanceRate: 0, qualificationTrials: 2, raterTrialsTime: 3, raterTrialsInf: 2 });
      const c = new Client(base);
      for (let i = 0; i < 2; i++) await rate(c);
      const good = { exposureMs: 500, frameMs: 16.7, missedFrames: 0, hidden: false };
      const t = await c.call('/api/rate/trials', { modelId, protocol: 'time' });
      clock.t += 1900; // past the exposure, but before countdown + exposure + masks (1500 + 500 + 120 ms)
      const early = await c.call(`/api/rate/trials/${t.json.trialId}/vote`, { answer: 'real', timing: { ...good, responseMs: 10 } });
      expect(early.status).toBe(422);
      // a made-up response time that does not fit in the server's issue -> vote interval
      const lie = await rate(c, { protocol: 'time', waitMs: 2400, timing: { ...good, responseMs: 5000 } });
      expect(lie.vote.json.dropped).toBe('clock-mismatch');
      const ok = await rate(c, { protocol: 'time', waitMs: 2400, timing: { ...good, responseMs: 200 } });
      expect(ok.vote.json.dropped).toBeNull();
      // HYPE-infinity: a claimed response time is clipped to the server's interval
      const inf = await rate(c, { waitMs: 900, timing: { responseMs: 60_000 } });
      expect(inf.vote.status).toBe(200);
      const stored = await store.sql.get<{ response_ms: number }>('SELECT response_ms FROM rating_trials WHERE id = ?', [inf.trial.trialId]);
      expect(Number(stored!.response_ms)).toBe(900);
      await rate(c);
      const capped = await c.call('/api/rate/trials', { modelId, protocol: 'inf' });
      expect(capped.json.done).toBe(true);
      expect(capped.json.reason).toMatch(/rated 2 images of this model/);
      expect((await c.call('/api/rate/trials', { modelId, protocol: 'time' })).json.done).toBe(true); // 3 timed trials issued
    });

    it('fails a rater below 65% on fake images and refuses further trials', async () => {
      await start({ vigilanceRate: 0 });
      const c = new Client(base);
      for (let i = 0; i < QUAL; i++) await rate(c, { answer: () => 'real' });
      const s = (await c.call('/api/rate')).json.rater;
      expect(s.status).toBe('failed');
      expect(s.qualification.fake).toEqual({ answered: QUAL / 2, correct: 0 });
      const t = await c.call('/api/rate/trials', { modelId, protocol: 'inf' });
      expect(t.status).toBe(403);
      expect(await humanScores(store.sql)).toEqual([]);
    });

    it('flags a rater who calls a vigilance image real; their votes stop counting', async () => {
      await start({ vigilanceRate: 0.3 });
      const c = new Client(base);
      let flagged = false;
      for (let i = 0; i < 40 && !flagged; i++) {
        const { vote } = await rate(c, { answer: (img) => (isNoise(img) && i > QUAL + 5 ? 'real' : perfectAnswer(img)) });
        expect(vote.status).toBe(200);
        flagged = vote.json.rater.flagged;
      }
      expect(flagged).toBe(true);
      expect((await c.call('/api/rate/trials', { modelId, protocol: 'inf' })).status).toBe(403);
      expect(await humanScores(store.sql)).toEqual([]);
    });

    it('never shows a rater the same image twice and says when the pool is used up', async () => {
      await start({ vigilanceRate: 0, qualificationTrials: 2 }, syntheticImages({ real: 6, fake: 6 }));
      const c = new Client(base);
      const seen = new Set<string>();
      let done = false;
      for (let i = 0; i < 20 && !done; i++) {
        const t = await c.call('/api/rate/trials', { modelId, protocol: 'inf' });
        if (t.json.done) {
          done = true;
          expect(t.json.reason).toMatch(/seen every/);
          break;
        }
        expect(seen.has(t.json.image)).toBe(false);
        seen.add(t.json.image);
        clock.t += 1000;
        await c.call(`/api/rate/trials/${t.json.trialId}/vote`, { answer: perfectAnswer(t.json.image) });
      }
      expect(done).toBe(true);
      expect(seen.size).toBeGreaterThanOrEqual(6);
    });

    it('HYPE-time: staircase exposure per trial, drops trials with a missed frame or a hidden tab', async () => {
      await start({ vigilanceRate: 0, qualificationTrials: 2 });
      const c = new Client(base);
      for (let i = 0; i < 2; i++) await rate(c);
      const good = (ms: number) => ({ exposureMs: ms, frameMs: 16.7, missedFrames: 0, hidden: false, responseMs: 400 });
      const exposures: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await rate(c, { protocol: 'time', waitMs: 2500, timing: good(500) });
        exposures.push(r.trial.exposureMs);
        expect(r.vote.json.dropped).toBeNull();
      }
      expect(exposures).toEqual([500, 500, 500]);
      const t = await c.call('/api/rate/trials', { modelId, protocol: 'time' });
      expect(t.json).toMatchObject({ protocol: 'time', phase: 'scored', exposureMs: 470 });
      clock.t += 300; // less than the exposure: too fast
      expect((await c.call(`/api/rate/trials/${t.json.trialId}/vote`, { answer: 'real' })).status).toBe(422);
      const missed = await rate(c, { protocol: 'time', waitMs: 2500, timing: { ...good(470), missedFrames: 2 } });
      expect(missed.vote.json.dropped).toBe('missed-frame');
      const hidden = await rate(c, { protocol: 'time', waitMs: 2500, timing: { ...good(470), hidden: true } });
      expect(hidden.vote.json.dropped).toBe('hidden-tab');
      const wrong = await rate(c, { protocol: 'time', waitMs: 2500, timing: good(470), answer: (img) => (perfectAnswer(img) === 'real' ? 'fake' : 'real') });
      expect(wrong.trial.exposureMs).toBe(470); // dropped trials did not move the staircase
      expect(wrong.vote.json.correct).toBeNull(); // scored trials get no feedback
      const after = await c.call('/api/rate/trials', { modelId, protocol: 'time' });
      expect(after.json.exposureMs).toBe(480);
      const s = (await humanScores(store.sql, { modelIds: [modelId] }))[0]!;
      expect(s.time).toBeNull(); // default minTimeTrials (20) not reached
      const scores = (await c.call('/api/rate/scores')).json.scores[0];
      expect(scores.time).toMatchObject({ raters: 1, trials: 4 }); // 3 + 1 valid timed trials, minTimeTrials 3 here
      expect(scores.value).toBeNull(); // no HYPE-infinity votes
    });
  });
}

function isNoise(dataUrl: string): boolean {
  return syntheticKind(dataUrl) === 'noise';
}
