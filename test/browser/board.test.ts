import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { HAS_CHROMIUM, launchChromium } from '../helpers/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/io/report.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { createModel, putEvaluation } from '../../src/store/index.js';
import { fakeReport } from '../store/conformance.js';

/**
 * The board and a model page in Debian's chromium at 1366 and 390 px (a laptop and a phone): screenshots of each
 * (written to a temp folder, named in the test's output), no sideways scrolling of the page (the board scrolls
 * inside its own container instead), every header explained, scatter points labelled with intervals, one history
 * line per model, an empty chart replaced by text, and the model page's rank, human score and rating link. The
 * server's evaluations are stored directly (no model runs here): six models on mnist, one of them evaluated twice
 * and one with a 100-character name, human scores for three of them, and a fashion-mnist board without any. A
 * seventh model comes only with self-reported numbers that would top the board (FD 0.5): the page lists it apart,
 * and neither its table, its ranks nor its charts count it.
 */
const WIDTHS = [1366, 390] as const;

/** A report under the server's protocol below (n 8, mobilenet-v1-0.75) with seven metrics and their intervals. */
function report(dataset: string, fd: number, created: string): Report {
  const r = fakeReport(fd, { dataset, created });
  const ci = (v: number, w: number) => ({ value: v, ci95: [v - w, v + w] as [number, number] });
  const metrics = { fd: ci(fd, 2 + fd / 10), kid: ci(fd / 1000, 0.002), is: ci(9 - fd / 20, 0.2), precision: ci(0.8 - fd / 200, 0.03), recall: ci(0.6 - fd / 300, 0.04), density: ci(1 - fd / 100, 0.05), coverage: ci(0.9 - fd / 150, 0.03) };
  const split = dataset === 'mnist' ? 'test[8000:10000]' : 'test'; // the protocols' reference splits
  return { ...r, dataset: { ...r.dataset, split }, metrics, recipe: { ...r.recipe, metrics: Object.keys(metrics), n: { generated: 8, reference: 8 }, reference: { ...r.recipe.reference!, split, count: 8 } } };
}

describe.skipIf(!HAS_CHROMIUM)('browser: the board and a model page at 1366 and 390 px', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'genbench-board-'));
  const shots = mkdtempSync(join(tmpdir(), 'genbench-screenshots-'));
  let server: RunningServer;
  let browser: Browser;
  let rated: string;
  const human = new Map<string, { value: number; ci95: [number, number]; raters: number; label: string }>();

  beforeAll(async () => {
    server = await startServer({
      db: join(tmp, 'gb.db'),
      port: 0,
      evaluation: { n: 8, bootstrap: 0, extractor: 'mobilenet-v1-0.75' },
      evaluate: async () => report('mnist', 1, new Date().toISOString()),
      app: { humanScores: async (_sql, { modelIds }) => new Map([...human].filter(([id]) => modelIds.includes(id))) },
    });
    const { sql } = server.store;
    const names = ['mnist-dcgan', 'mnist-vae', 'mnist-wgan-gp', `long-${'x'.repeat(95)}`, 'pixelcnn-tiny', 'noise-baseline'];
    for (const [i, name] of names.entries()) {
      const m = await createModel(sql, { name, kind: i === 5 ? 'baseline' : 'submission', format: 'onnx', manifest: { name, license: 'CC0-1.0' } });
      await putEvaluation(sql, { modelId: m.id, report: report('mnist', 20 + i * 9, `2026-0${i + 1}-01T00:00:00.000Z`), verified: true });
      if (i === 0) {
        // a re-evaluation with more bootstrap resamples: another recipe, the same protocol (a second point on its line)
        const again = report('mnist', 24, '2026-08-01T00:00:00.000Z');
        await putEvaluation(sql, { modelId: m.id, report: { ...again, recipe: { ...again.recipe, bootstrap: { ...again.recipe.bootstrap!, resamples: 20 } } }, verified: true });
      }
      if (i < 3) human.set(m.id, { value: 0.4 - i * 0.1, ci95: [0.35 - i * 0.1, 0.45 - i * 0.1], raters: 6, label: 'HYPE∞ error rate' });
      if (i === 1) rated = m.id;
      if (i === 4) await putEvaluation(sql, { modelId: m.id, report: report('fashion-mnist', 40, '2026-03-01T00:00:00.000Z'), verified: true });
    }
    const claimed = await createModel(sql, { name: 'claims-sota', kind: 'submission', format: 'onnx', manifest: { name: 'claims-sota', license: 'CC0-1.0' } });
    await putEvaluation(sql, { modelId: claimed.id, report: report('mnist', 0.5, '2026-09-01T00:00:00.000Z'), verified: false });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('reads well on a laptop and a phone', { timeout: 60_000 }, async () => {
    const errors: string[] = [];
    const { boards } = (await (await fetch(`${server.url}/api/leaderboard?dataset=mnist`)).json()) as { boards: Array<{ rows: Array<{ modelId: string; rank: number }> }> };
    const rank = boards[0]!.rows.find((r) => r.modelId === rated)!.rank;
    for (const width of WIDTHS) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));

      await page.goto(server.url);
      await page.locator('body[data-charts="drawn"]').waitFor({ timeout: 10_000 }).catch((e: Error) => {
        throw new Error(`${e.message.split('\n')[0]}; page errors: ${errors.join(' | ')}`);
      });
      await page.screenshot({ path: join(shots, `board-${width}.png`), fullPage: true });
      await page.screenshot({ path: join(shots, `board-${width}-first-screen.png`) });
      const board = await page.evaluate(measureBoard);
      expect(board.pageScrollWidth, `board at ${width} px`).toBeLessThanOrEqual(board.innerWidth);
      expect(board.headersWithoutHelp).toEqual([]);
      expect(board.legend).toMatch(/FD ↓.*lower is better/s); // the descriptor's display label
      expect(board.legend).toMatch(/Human ↑.*higher is better/s);
      expect(board.ranked).toHaveLength(6);
      expect(board.ranked).not.toContain('claims-sota');
      expect(board.selfReported).toEqual({ summary: expect.stringMatching(/^Self-reported, not verified by this server \(1; not ranked\)/), models: ['claims-sota'] });
      if (width === 390) {
        expect(board.container.scrollWidth).toBeGreaterThan(board.container.clientWidth); // the table scrolls inside it
        expect(board.container.scrolledTo).toBeGreaterThan(0);
      }
      const charts = await page.evaluate(chartState);
      expect(charts.mnist.scatter).toMatchObject({ points: 6, labelled: 6, withIntervals: 6 });
      expect(charts.mnist.humanFd).toMatchObject({ points: 3, labelled: 3, withIntervals: 3 });
      expect(charts.mnist.history).toEqual({ lines: 6, points: 7 }); // one line per model: mnist-dcgan's two evaluations on one
      expect(charts.fashion.humanFd).toBeNull();
      expect(charts.fashion.emptyText).toMatch(/No model has both an FD and a published human score yet/);

      await page.goto(`${server.url}/models/${rated}`);
      await page.screenshot({ path: join(shots, `model-${width}.png`), fullPage: true });
      const model = await page.evaluate(measureModel);
      expect(model.pageScrollWidth, `model page at ${width} px`).toBeLessThanOrEqual(model.innerWidth);
      expect(model.standing).toContain(`Rank on mnist: ${rank} of 6 (band on fd)`);
      expect(model.standing).toMatch(/Human score: 0\.300 \[0\.250, 0\.350\]/);
      expect(model.rateHref).toBe(`/rate?model=${rated}`);
      await page.close();
    }
    expect(errors).toEqual([]);
    for (const width of WIDTHS) for (const what of ['board', 'model']) expect(existsSync(join(shots, `${what}-${width}.png`))).toBe(true);
    process.stdout.write(`screenshots: ${shots}\n`);
  });
});

/* The functions below run in the page (playwright serialises them); the test tsconfig has no DOM types. */
/* eslint-disable @typescript-eslint/no-explicit-any */

function measureBoard() {
  const doc = (globalThis as any).document;
  const mnist = [...doc.querySelectorAll('section.board')].find((s: any) => s.querySelector('h2').textContent.startsWith('mnist ·')) as any;
  const container = mnist.querySelector('.table-scroll');
  container.scrollLeft = 200;
  const headers = [...doc.querySelectorAll('table.board-table thead th')] as any[];
  return {
    pageScrollWidth: doc.scrollingElement.scrollWidth as number,
    innerWidth: (globalThis as any).innerWidth as number,
    container: { scrollWidth: container.scrollWidth as number, clientWidth: container.clientWidth as number, scrolledTo: container.scrollLeft as number },
    headersWithoutHelp: headers.filter((th) => (th.getAttribute('title') ?? '').length < 10).map((th) => th.textContent),
    legend: mnist.querySelector('.legend').textContent as string,
    ranked: [...mnist.querySelectorAll('table.board-table tbody tr')].map((tr: any) => tr.querySelector('a')?.textContent) as string[],
    selfReported: {
      summary: (mnist.querySelector('details.self-reported summary')?.textContent ?? '') as string,
      models: [...mnist.querySelectorAll('details.self-reported tbody tr')].map((tr: any) => tr.querySelector('a')?.textContent) as string[],
    },
  };
}

function chartState() {
  const doc = (globalThis as any).document;
  const Chart = (globalThis as any).Chart;
  const scatter = (canvas: any) => {
    const chart = canvas === null ? undefined : Chart.getChart(canvas);
    if (chart === undefined) return null;
    const data = chart.data.datasets[0].data as any[];
    return { points: data.length, labelled: data.filter((p) => typeof p.label === 'string' && p.label.length > 0).length, withIntervals: data.filter((p) => p.xMin < p.x && p.x < p.xMax && p.yMin < p.y && p.y < p.yMax).length };
  };
  const board = (title: string) => {
    const section = [...doc.querySelectorAll('section.board')].find((s: any) => s.querySelector('h2').textContent.startsWith(title)) as any;
    const history = Chart.getChart(section.querySelector('canvas.history'));
    return {
      scatter: scatter(section.querySelector('canvas.scatter')),
      humanFd: scatter(section.querySelector('canvas.human-fd')),
      history: { lines: history.data.datasets.length, points: history.data.datasets.reduce((n: number, d: any) => n + d.data.length, 0) },
      emptyText: [...section.querySelectorAll('.chart .empty')].map((p: any) => p.textContent).join(' | '),
    };
  };
  return { mnist: board('mnist ·'), fashion: board('fashion-mnist') };
}

function measureModel() {
  const doc = (globalThis as any).document;
  return {
    pageScrollWidth: doc.scrollingElement.scrollWidth as number,
    innerWidth: (globalThis as any).innerWidth as number,
    standing: (doc.querySelector('.standing')?.textContent ?? '').replace(/\s+/g, ' ') as string,
    rateHref: doc.querySelector('a.rate-link')?.getAttribute('href') as string,
  };
}
