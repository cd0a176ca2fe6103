import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { HAS_CHROMIUM, launchChromium } from '../helpers/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { createToken } from '../../src/store/tokens.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { faintPixels, FAINT_THRESHOLD } from './test-rater.js';

/**
 * The whole submit-to-human-score flow in Debian's chromium (playwright-core, no downloaded browser): upload the
 * mnist-dcgan fixture through the upload page, wait for its (real, small) evaluation, find it on the leaderboard, pass
 * the qualification round and cast 20 counted votes on /rate, time a few HYPE-time trials, and see the human score on
 * the leaderboard.
 *
 * The rater is honest: it decides from the pixels the page shows (test-rater.ts: the DCGAN's faint background haze),
 * with no hook into the server. It waits 200 ms per image: the server rejects votes faster than 150 ms, and screening
 * here flags raters whose median answer comes sooner than 150 ms (350 ms by default, which would make the test wait
 * longer). One rater publishes here (minRaters 1). Then a bot in a fresh session of the same page uses the same
 * pixel statistic but answers as soon as the answer buttons are enabled: the server refuses votes that come sooner
 * than a person can look, the bot never qualifies, and the published score does not move (the paced and recalibrated bots are
 * test/rating/bots.test.ts's).
 */
const shared = optionalSharedAssets();

describe.skipIf(!shared || !HAS_CHROMIUM)('browser: upload, evaluate, rate, see the human score', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'genbench-browser-'));
  let server: RunningServer;
  let browser: Browser;
  let token: string;
  let published: { value: number; raters?: number } | undefined;

  beforeAll(async () => {
    server = await startServer({
      db: join(tmp, 'gb.db'),
      port: 0,
      // no memorisation checks: they would extract the features of the fixture's 8000 training images first
      evaluation: { n: 32, bootstrap: 0, extractor: 'mobilenet-v1-0.25', memorization: false },
      cacheDir: join(tmp, 'features'),
      app: { rating: { config: { qualificationTrials: 10, fakePoolSize: 200, bootstrapIterations: 1000, minTimeTrials: 1, minRaters: 1, screening: { humanFloorMs: 150 } } } },
    });
    token = (await createToken(server.store.sql, { name: 'browser-test' })).token;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('runs the flow in under a minute', { timeout: 90_000 }, async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const base = server.url;

    // 1. upload the fixture model through the upload page
    await page.goto(`${base}/submit`);
    await page.fill('#token', token);
    const dir = join(shared!, 'fixtures/submissions');
    await page.setInputFiles('#files', [join(dir, 'mnist-dcgan.onnx'), join(dir, 'mnist-dcgan.genbench.json')]);
    await page.click('#submit-form button[type=submit]');
    const follow = page.locator('#result a');
    await follow.waitFor({ timeout: 15_000 });
    await follow.click();

    // 2. the status page refreshes itself until the evaluation is done
    await page.locator('#status', { hasText: /^(done|failed)$/ }).waitFor({ timeout: 60_000 });
    expect(await page.textContent('#status')).toBe('done');

    // 3. the model is on the leaderboard, without a human score yet
    await page.goto(base);
    const row = page.locator('tr', { hasText: 'mnist-dcgan' });
    await row.first().waitFor();
    expect(await humanCell(page)).toMatch(/n\/a|–/);

    // 4. qualification and 20 counted HYPE-infinity votes on /rate
    await page.goto(`${base}/rate`);
    await page.selectOption('#protocol', 'inf');
    await page.click('#start');
    let trials = 0;
    let previous = '';
    while (Number(await page.getAttribute('#stage', 'data-scored')) < 20) {
      previous = await nextTrial(page, previous);
      const fake = await looksFake(page);
      await page.waitForTimeout(200);
      if (trials % 2 === 0) await page.keyboard.press(fake ? 'f' : 'r');
      else await page.click(fake ? '#answer-fake' : '#answer-real');
      trials++;
      expect(trials).toBeLessThan(60);
      expect(await page.getAttribute('#stage', 'data-ended')).toBeNull();
    }
    expect(await page.getAttribute('#stage', 'data-rater')).toBe('qualified');
    await page.locator('#stage[data-ready="1"]').waitFor(); // the vote of the 20th counted trial is in

    // 5. a few HYPE-time trials: frame-locked exposure, then a mask; the image is gone from the DOM once masked
    await page.goto(`${base}/rate`);
    await page.selectOption('#protocol', 'time');
    await page.click('#start');
    previous = '';
    for (let i = 0; i < 3; i++) {
      previous = await nextTrial(page, previous);
      expect(await page.getAttribute('#stage', 'data-protocol')).toBe('time');
      expect(await page.$('#image')).toBeNull();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- runs in the page; the test tsconfig has no DOM types
      expect(await page.evaluate(() => (globalThis as any).document.documentElement.outerHTML.includes('data:image/png'))).toBe(false);
      await page.keyboard.press('f');
    }
    await page.locator('#stage[data-ready="1"]').waitFor();
    const timed = await server.store.sql.all<{ exposure_ms: number; measured_ms: number | null; frame_ms: number | null; dropped: string | null }>(
      "SELECT exposure_ms, measured_ms, frame_ms, dropped FROM rating_trials WHERE protocol = 'time' AND status = 'voted'",
    );
    if (process.env['GENBENCH_DEBUG_RATE'] === '1') process.stderr.write(`HYPE-time trials: ${JSON.stringify(timed)}\n`);
    expect(timed.length).toBeGreaterThanOrEqual(2);
    for (const t of timed) {
      expect(t.measured_ms).not.toBeNull();
      expect(t.frame_ms!).toBeGreaterThan(0);
      if (t.dropped === null) expect(Math.abs(t.measured_ms! - t.exposure_ms)).toBeLessThanOrEqual(Math.max(20, t.frame_ms!));
    }

    // 6. the human score appears on the leaderboard and on /rate/scores
    await page.goto(base);
    const cell = await humanCell(page);
    expect(cell).toMatch(/\d/);
    const { boards } = (await (await fetch(`${base}/api/leaderboard`)).json()) as { boards: Array<{ rows: Array<{ modelName: string; human: { value: number; raters?: number } | null }> }> };
    const human = boards.flatMap((b) => b.rows).find((r) => r.modelName === 'mnist-dcgan')!.human!;
    expect(human.value).toBeGreaterThanOrEqual(0);
    expect(human.value).toBeLessThan(0.35); // this rater tells the fixture's fakes apart
    expect(human.raters).toBe(1);
    await page.goto(`${base}/rate/scores`);
    expect(await page.textContent('#human-scores')).toContain('mnist-dcgan');
    expect(errors).toEqual([]);
    published = human;
  });

  it('a bot on the same page, answering from the pixels as fast as the page allows, publishes nothing', { timeout: 90_000 }, async () => {
    expect(published, 'the honest rater published a score first').toBeDefined();
    const context = await browser.newContext(); // a fresh session: its own rater cookie
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/rate`);
    await page.selectOption('#protocol', 'inf');
    await page.click('#start');
    let previous = '';
    let trials = 0;
    while (trials < 60) {
      previous = await nextTrial(page, previous);
      await page.keyboard.press((await looksFake(page)) ? 'f' : 'r'); // no wait: a script, not a person
      trials++;
    }
    await page.locator('#stage[data-ready="1"]').waitFor();
    // The server refuses votes that come sooner after the trial than a person can look (its own clock; the page shows
    // why), so the bot never qualifies.
    expect(await page.textContent('#feedback')).toMatch(/ms after the trial was issued; look at the image first/);

    // the published score is the honest rater's alone, unchanged
    const { boards } = (await (await fetch(`${server.url}/api/leaderboard`)).json()) as { boards: Array<{ rows: Array<{ modelName: string; human: { value: number; raters?: number } | null }> }> };
    const human = boards.flatMap((b) => b.rows).find((r) => r.modelName === 'mnist-dcgan')!.human!;
    expect(human).toMatchObject({ value: published!.value, raters: 1 });
    // and the admin rater report counts the honest rater alone: the bot's session, listed once it has a vote, never
    // qualified
    const admin = (await createToken(server.store.sql, { name: 'admin', admin: true })).token;
    const res = await fetch(`${server.url}/api/rate/raters`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    const { raters } = (await res.json()) as { raters: Array<{ status: string; flagged: boolean; votes: number }> };
    expect(raters.filter((r) => r.status === 'qualified' && !r.flagged)).toHaveLength(1);
    for (const other of raters.filter((r) => r.status !== 'qualified' || r.flagged)) expect(other.votes).toBeLessThan(10);
    expect(errors).toEqual([]);
    await context.close();
  });
});

/* The functions below run in the page (playwright serialises them); the test tsconfig has no DOM types. */
/* eslint-disable @typescript-eslint/no-explicit-any */

/** Waits for a trial other than `previous` to be ready for an answer; returns its id. */
async function nextTrial(page: Page, previous: string): Promise<string> {
  await page.waitForFunction(
    (prev: string) => {
      const s = (globalThis as any).document.getElementById('stage');
      return s !== null && s.dataset.ready === '1' && s.dataset.trial !== prev;
    },
    previous,
    { timeout: 15_000 },
  );
  return (await page.getAttribute('#stage', 'data-trial'))!;
}

/** The test rater: reads the shown image's pixels through a canvas and counts faint background pixels. */
async function looksFake(page: Page): Promise<boolean> {
  const pixels = await page.evaluate((): number[] => {
    const doc = (globalThis as any).document;
    const img = doc.getElementById('image');
    const c = doc.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    return Array.from(ctx.getImageData(0, 0, c.width, c.height).data as ArrayLike<number>);
  });
  return faintPixels(pixels, 4) > FAINT_THRESHOLD;
}

/** Text of the Human column in the mnist-dcgan row of the leaderboard. */
async function humanCell(page: Page): Promise<string> {
  return page.evaluate((): string => {
    const table = (globalThis as any).document.querySelector('table');
    if (table === null) return '';
    const headers: string[] = [...table.querySelectorAll('thead th')].map((th: any) => th.textContent ?? '');
    const col = headers.findIndex((h) => h.startsWith('Human'));
    const row = [...table.querySelectorAll('tbody tr')].find((tr: any) => (tr.textContent ?? '').includes('mnist-dcgan')) as any;
    return row === undefined ? '' : (row.querySelectorAll('td')[col]?.textContent ?? '');
  });
}
