import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageBatchU8 } from '../../src/io/image.js';
import { encodePng } from '../../src/io/png.js';
import { presentationMs } from '../../src/rating/protocol.js';
import type { RatingImageSource } from '../../src/rating/images.js';
import { raterByToken } from '../../src/rating/store.js';
import { Rng } from '../../src/rng.js';
import type { Store } from '../../src/store/index.js';
import { createToken } from '../../src/store/tokens.js';
import { addModel, Client, ratingStore, startRateServer } from './fixtures.js';

/**
 * Scripts against the crowd score. Five simulated people rate a model (HYPE-infinity and HYPE-time) and publish its
 * scores; then each bot strategy runs in its own session: a lookup of the public real images by their bytes, a
 * pixel-statistic classifier (naive and recalibrated), made-up HYPE-time timing payloads with inverted answers, and
 * one session flooding votes. None of them moves a published score, and the admin rater report says why.
 *
 * The synthetic model leaves a faint haze (grey 3..12) in the background of its images, as the fixture DCGAN does;
 * real images sit on black. The simulated people see the haze too (the test's oracle) but err like people: 40% of
 * the fakes and 20% of the reals after qualification, and by exposure on HYPE-time.
 */

const SIZE = 784;

function bars(i: number, data: Uint8Array, at: number): void {
  const col = 4 + (i % 20);
  const row = 4 + (Math.floor(i / 20) % 20);
  for (let k = 4; k < 24; k++) {
    data[at + k * 28 + col] = 255;
    data[at + row * 28 + k] = 255;
  }
}

function images(n: number, haze: boolean): ImageBatchU8 {
  const data = new Uint8Array(n * SIZE);
  for (let i = 0; i < n; i++) {
    if (haze) for (let p = 0; p < 60; p++) data[i * SIZE + ((p * 37 + i * 11) % SIZE)] = 3 + (p % 10);
    bars(i, data, i * SIZE);
  }
  return { data, n, height: 28, width: 28, channels: 1 };
}

const REAL = images(400, false);
const FAKE = images(400, true);
const SOURCE: RatingImageSource = { real: async () => ({ dataset: 'mnist', images: REAL }), fakes: async () => FAKE };

function pixels(dataUrl: string): Uint8Array {
  const png = PNG.sync.read(Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'));
  const out = new Uint8Array(png.width * png.height);
  for (let p = 0; p < out.length; p++) out[p] = png.data[4 * p]!;
  return out;
}

function levels(px: Uint8Array, lo: number, hi: number): number {
  let n = 0;
  for (const v of px) if (v >= lo && v <= hi) n++;
  return n;
}

function isNoise(dataUrl: string): boolean {
  return levels(pixels(dataUrl), 30, 220) > 50;
}

/** What the image is, by its content: noise (vigilance), the model's haze, or a clean real image. */
function oracle(dataUrl: string): 'real' | 'fake' {
  if (isNoise(dataUrl)) return 'fake';
  return levels(pixels(dataUrl), 2, 20) > 20 ? 'fake' : 'real';
}

const flip = (a: 'real' | 'fake'): 'real' | 'fake' => (a === 'real' ? 'fake' : 'real');
const CONFIG = { qualificationTrials: 10, vigilanceRate: 0.05, bootstrapIterations: 300, minTimeTrials: 10, raterTrialsInf: 50, raterTrialsTime: 25 };

describe('bots against the published crowd score', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let base: string;
  let close: () => Promise<void>;
  let modelId: string;
  const clock = { t: 1_700_000_000_000 };

  beforeAll(async () => {
    ({ store, cleanup } = await ratingStore());
    modelId = await addModel(store, 'hazy-gan');
    ({ base, close } = await startRateServer(store, { config: CONFIG, images: SOURCE, seed: 3, now: () => clock.t }));
  });
  afterAll(async () => {
    await close();
    await cleanup();
  });

  type Decide = (image: string, trial: { phase: string; exposureMs: number | null }) => 'real' | 'fake';

  /** One trial: ask, wait `waitMs` on the server clock, vote; null when the server says the rater is done. */
  async function trial(c: Client, protocol: 'inf' | 'time', decide: Decide, wait: (t: { exposureMs: number | null }) => number, timing?: (t: { exposureMs: number | null }, waitMs: number) => object) {
    const t = await c.call('/api/rate/trials', { modelId, protocol });
    if (t.json.done === true) return null;
    expect(t.status, JSON.stringify(t.json)).toBe(200);
    const waitMs = wait(t.json);
    clock.t += waitMs;
    const body = { answer: decide(t.json.image, t.json), ...(timing === undefined ? {} : { timing: timing(t.json, waitMs) }) };
    return { trial: t.json, vote: await c.call(`/api/rate/trials/${t.json.trialId}/vote`, body) };
  }

  async function qualify(c: Client, decide: Decide = oracle): Promise<string> {
    for (let i = 0; i < 40; i++) {
      const r = await trial(c, 'inf', decide, () => 1200);
      if (r!.vote.json.rater.status !== 'qualifying') return r!.vote.json.rater.status;
    }
    return 'qualifying';
  }

  const timing = (t: { exposureMs: number | null }, waitMs: number) => ({ exposureMs: t.exposureMs, frameMs: 16.7, missedFrames: 0, hidden: false, responseMs: waitMs - presentationMs() - t.exposureMs! - 50 });

  async function person(seed: number): Promise<void> {
    const rng = new Rng(seed);
    const c = new Client(base);
    expect(await qualify(c)).toBe('qualified');
    const erring: Decide = (img) => {
      const a = oracle(img);
      if (isNoise(img)) return 'fake'; // nobody calls noise real
      return rng.float() < (a === 'fake' ? 0.4 : 0.2) ? flip(a) : a;
    };
    while ((await trial(c, 'inf', erring, () => 1200 + rng.int(800))) !== null);
    const timed: Decide = (img, t) => (isNoise(img) || rng.float() < 0.5 + 0.5 * Math.min(1, t.exposureMs! / 800) ? oracle(img) : flip(oracle(img)));
    while ((await trial(c, 'time', timed, (t) => presentationMs() + t.exposureMs! + 600 + rng.int(400), timing)) !== null);
  }

  async function scores() {
    const s = (await new Client(base).call(`/api/rate/scores?model=${modelId}`)).json.scores[0];
    return { value: s.value, ci95: s.ci95, inf: s.inf, time: s.time, raters: s.raters, votes: s.votes };
  }

  it('publishes only with five raters, and no bot moves the published scores', { timeout: 60_000 }, async () => {
    for (let k = 0; k < 4; k++) await person(10 + k);
    const four = await scores();
    expect(four).toMatchObject({ value: null, ci95: null, inf: null, time: null, raters: 4 });
    await person(14);
    const published = await scores();
    expect(published.raters).toBe(5);
    expect(published.value).toBeGreaterThan(0.2);
    expect(published.value).toBeLessThan(0.4);
    expect(published.ci95[0]).toBeLessThan(published.value);
    expect(published.time.raters).toBe(5);

    // 1. lookup of the public real images by their bytes (PNG of the same encoder, or the exact pixels)
    const pngs = new Set<string>();
    const raws = new Set<string>();
    for (let i = 0; i < REAL.n; i++) {
      const px = REAL.data.subarray(i * SIZE, (i + 1) * SIZE);
      pngs.add(Buffer.from(encodePng(px, 28, 28, 1)).toString('base64'));
      raws.add(Buffer.from(px).toString('base64'));
    }
    let hits = 0;
    const lookup = new Client(base);
    const lookupStatus = await qualify(lookup, (img) => {
      const known = pngs.has(img.slice(img.indexOf(',') + 1)) || raws.has(Buffer.from(pixels(img)).toString('base64'));
      if (known) hits++;
      return known ? 'real' : 'fake';
    });
    expect(hits).toBe(0);
    expect(lookupStatus).toBe('failed');

    // 2a. the pixel statistic of the original report (more than 18 faint pixels, grey 1..20: fake) fails qualification
    const naive = new Client(base);
    expect(await qualify(naive, (img) => (levels(pixels(img), 1, 20) > 18 ? 'fake' : 'real'))).toBe('failed');
    // 2b. recalibrated to the model's haze (a real difference of its pixels) it qualifies, and is too accurate
    const stat = new Client(base);
    expect(await qualify(stat)).toBe('qualified');
    let statVotes = 0;
    while ((await trial(stat, 'inf', oracle, () => 1100)) !== null) statVotes++;
    expect(statVotes).toBeGreaterThanOrEqual(CONFIG.raterTrialsInf); // vigilance trials come on top

    // 3. made-up HYPE-time timing payloads, then inverted answers that push the staircase up
    const timer = new Client(base);
    expect(await qualify(timer)).toBe('qualified');
    const early = await trial(timer, 'time', oracle, (t) => t.exposureMs! + 200, (t) => ({ exposureMs: t.exposureMs, frameMs: 16.7, missedFrames: 0, hidden: false, responseMs: 400 }));
    expect(early!.vote.status).toBe(422);
    const lie = await trial(timer, 'time', oracle, (t) => presentationMs() + t.exposureMs! + 50, (t) => ({ exposureMs: t.exposureMs, frameMs: 16.7, missedFrames: 0, hidden: false, responseMs: 2000 }));
    expect(lie!.vote.json.dropped).toBe('clock-mismatch');
    let last = 0;
    for (let r; (r = await trial(timer, 'time', (img) => (isNoise(img) ? 'fake' : flip(oracle(img))), (t) => presentationMs() + t.exposureMs! + 700, timing)) !== null;) last = r.trial.exposureMs;
    expect(last).toBeGreaterThan(700); // the staircase went up: these votes would have made the model look realistic

    // 4. one session flooding votes, all 'real' (but noise 'fake', or vigilance flags it at once), as fast as the server takes them
    const flood = new Client(base);
    expect(await qualify(flood)).toBe('qualified');
    const statuses = new Map<number, number>();
    for (let r; (r = await trial(flood, 'inf', (img) => (isNoise(img) ? 'fake' : 'real'), () => 160)) !== null;) statuses.set(r.vote.status, (statuses.get(r.vote.status) ?? 0) + 1);
    expect(statuses.get(429)).toBeGreaterThan(0); // the per-minute limit (60, counted in the database)
    expect(statuses.get(200)).toBeLessThanOrEqual(CONFIG.raterTrialsInf);

    expect(await scores()).toEqual(published);

    const admin = await createToken(store.sql, { name: 'admin', admin: true });
    const report = ((await (await fetch(`${base}/api/rate/raters`, { headers: { authorization: `Bearer ${admin.token}` } })).json()) as {
      raters: Array<{ raterId: string; status: string; flagged: boolean; flagReason: string | null }>;
    }).raters;
    const idOf = async (c: Client) => (await raterByToken(store.sql, decodeURIComponent(c.cookie!.slice(c.cookie!.indexOf('=') + 1))))!.id;
    const byId = new Map(report.map((r) => [r.raterId, r]));
    expect(byId.get(await idOf(lookup))).toMatchObject({ status: 'failed' });
    expect(byId.get(await idOf(naive))).toMatchObject({ status: 'failed' });
    expect(byId.get(await idOf(stat))).toMatchObject({ status: 'qualified', flagged: true, flagReason: expect.stringMatching(/^too accurate: wrong on 0 of 50 inf trials/) });
    expect(byId.get(await idOf(timer))).toMatchObject({ status: 'qualified', flagged: true, flagReason: expect.stringMatching(/^inverted: wrong on \d+ of \d+ known-truth trials/) });
    expect(byId.get(await idOf(flood))).toMatchObject({ status: 'qualified', flagged: true, flagReason: expect.stringMatching(/^too fast: median answer 160 ms/) });
    expect(report.filter((r) => r.status === 'qualified' && !r.flagged)).toHaveLength(5);
  });
});
