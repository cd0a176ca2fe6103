import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { createToken } from '../../src/store/index.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { HAS_CHROMIUM, launchChromium } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { writeTranslator } from '../harness/translator-fixtures.js';

/**
 * The translation track in Debian's chromium: a `genbench train`-style run folder (genbench.json naming
 * ckpt-000002/translator.onnx, whose own genbench.json lists the TF.js files it was converted from) of an identity translator on
 * pneumonia-sr2 goes to the server with `genbench submit --wait`; the leaderboard page then shows the task's
 * translation board with that model ranked, and its model page shows the input | output | target grid, loaded.
 */
const shared = optionalSharedAssets();

describe.skipIf(!HAS_CHROMIUM || !shared)('browser: a translator submitted with genbench submit, on its task board', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'genbench-translation-board-'));
  const run = join(tmp, 'pix2pix-pneumonia-sr2');
  let server: RunningServer;
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    server = await startServer({ db: join(tmp, 'gb.db'), port: 0, evaluation: { n: 16, bootstrap: 20, extractor: 'none' } });
    token = (await createToken(server.store.sql, { name: 'tester' })).token;
    const ckpt = join(run, 'ckpt-000002');
    mkdirSync(ckpt, { recursive: true });
    await writeTranslator(join(ckpt, 'translator.onnx'), { kind: 'identity', shape: [1, 28, 28], task: 'pneumonia-sr2' });
    const written = join(ckpt, 'translator.genbench.json');
    const manifest = JSON.parse(readFileSync(written, 'utf8')) as Record<string, unknown>;
    unlinkSync(written);
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    writeFileSync(join(ckpt, 'model.json'), '{}');
    writeFileSync(join(ckpt, 'weights.bin'), 'w');
    const files = { 'model.json': sha('{}'), 'weights.bin': sha('w') };
    const full = { ...manifest, name: 'pix2pix-pneumonia-sr2', role: 'translator', dataset: 'pneumonia-sr2', license: 'Apache-2.0', files };
    // as genbench train writes it: the checkpoint's manifest beside its files, the run's naming the newest checkpoint
    writeFileSync(join(ckpt, 'genbench.json'), JSON.stringify(full));
    writeFileSync(join(run, 'genbench.json'), JSON.stringify({ ...full, file: 'ckpt-000002/translator.onnx' }));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('shows the translation board with the model, and its model page the triplet grid', { timeout: 60_000 }, async () => {
    const submitted = await runCli(['submit', '--server', server.url, '--token', token, '--wait', run]);
    expect(submitted.stderr).toContain('waiting for the evaluation');
    expect(submitted.code, submitted.stderr).toBe(0);
    const modelPath = /done: http:\/\/[^/]+(\/models\/[0-9a-f-]+)/.exec(submitted.stdout)?.[1];
    expect(modelPath, submitted.stdout).toBeDefined();

    const errors: string[] = [];
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(server.url);
    await page.locator('body[data-charts="drawn"]').waitFor({ timeout: 10_000 });
    const board = page.locator('section.board[data-kind="translation"]');
    await expect(board.locator('h2').textContent()).resolves.toBe('Translation: pneumonia-sr2 · none');
    const rows = await board.locator('table.board-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')));
    expect(rows).toHaveLength(1);
    expect(rows[0]![0]).toBe('1');
    expect(rows[0]![1]).toMatch(/^pix2pix-pneumonia-sr2/);
    await board.locator('a', { hasText: 'pix2pix-pneumonia-sr2' }).click();
    await page.waitForURL(`**${modelPath!}`);
    const grid = page.locator('figure img[alt^="triplet grid"]');
    await expect(grid.evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode().then(() => (img as unknown as { naturalWidth: number }).naturalWidth))).resolves.toBe(4 * (2 * (3 * 28 + 2)) + 5 * 6);
    await expect(page.locator('figure figcaption').first().textContent()).resolves.toBe('input | output | target');
    await page.close();
    expect(errors).toEqual([]);
  });
});
