import { execFileSync, spawn } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionalSharedAssets } from '../helpers/assets.js';
import { generator } from './case.js';
import { GENERATED_CASES } from './generated-cases.js';
import { INPUT_CASES } from './input-cases.js';
import { OUTPUT_CASES } from './output-cases.js';
import { RESIZE_CASES } from './resize-cases.js';
import { TRANSLATION_CASES } from './translation-cases.js';
import { runMeasured } from './run.js';

/**
 * The bad-input corpus through the CLI (cases in input-cases.ts, output-cases.ts, generated-cases.ts, resize-cases.ts and translation-cases.ts, files made by files.ts): every
 * case runs `node dist/src/cli/bin.js` in its own folder, with progress bars on (no --quiet), and must end promptly
 * with exit 2 and one line on stderr (`genbench: ...`, no stack trace), leave no file behind, and stay within a
 * memory bound; the write-through cases (a device, a symbolic link) exit 0 and leave the device node or link as it was.
 */
const CASES = [...INPUT_CASES, ...OUTPUT_CASES, ...GENERATED_CASES, ...RESIZE_CASES, ...TRANSLATION_CASES];
const shared = optionalSharedAssets();
const TIME_LIMIT_S = 20;

/** Every path under `dir` (relative), with its kind and size, to tell what a run created or changed. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const p = join(e.parentPath, e.name);
    const s = await lstat(p);
    out.push(`${p.slice(dir.length + 1)} ${s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : s.isFile() ? s.size : 'special'}`);
  }
  return out.sort();
}

describe('bad input through the CLI: exit 2, one line, promptly, nothing written, bounded memory', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'genbench-bad-inputs-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it.concurrent.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    if (c.needsAssets && !shared) return;
    const dir = join(root, c.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60));
    await mkdir(dir, { recursive: true });
    if ((await c.setup?.(dir)) === false) return;
    const before = await snapshot(dir);
    const env = { GENBENCH_HOME: join(root, 'home'), GENBENCH_DEBUG: undefined, GENBENCH_OFFLINE: '1', ...(shared ? { GENBENCH_ASSETS: shared } : {}), ...c.env };
    const r = await runMeasured(c.args, { cwd: dir, env, timeoutMs: TIME_LIMIT_S * 1000 });
    const what = `${c.args.join(' ')}\nstderr: ${r.stderr}`;
    expect(r.killed, `hung past ${TIME_LIMIT_S} s: ${what}`).toBe(false);
    expect(r.code, what).toBe(c.code);
    if (c.code === 2) {
      expect(r.stderr.trimEnd().split('\n'), what).toHaveLength(1);
      expect(r.stderr.trimEnd(), what).toMatch(c.stderr!);
    } else {
      expect(r.stderr, what).toBe('');
    }
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.peakMb, 'peak memory was reported').toBeDefined();
    expect(r.peakMb!, `peak RSS of ${c.args.join(' ')}`).toBeLessThan(c.maxMb ?? 400);
    // nothing left behind: no output, no temporary file (the write-through cases change only what check() looks at)
    const after = await snapshot(dir);
    if (c.code === 2) expect(after, `files after ${c.args.join(' ')}`).toEqual(before);
    else expect(after.filter((f) => !before.includes(f) && !f.startsWith('target.npy '))).toEqual([]);
    await c.check?.(dir);
  });
});

describe('writing into a FIFO', () => {
  it('sample --grid FIFO writes the PNG into the pipe and leaves the FIFO in place', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'genbench-fifo-'));
    try {
      await generator(dir);
      execFileSync('mkfifo', [join(dir, 'grid.fifo')]);
      const reader = spawn('cat', [join(dir, 'grid.fifo')], { stdio: ['ignore', 'pipe', 'ignore'] });
      const chunks: Buffer[] = [];
      reader.stdout.on('data', (d: Buffer) => chunks.push(d));
      const read = new Promise<void>((resolve) => reader.on('close', () => resolve()));
      const r = await runMeasured(['sample', '--generator', 'g.onnx', '--grid', 'grid.fifo'], { cwd: dir, timeoutMs: TIME_LIMIT_S * 1000 });
      await read;
      expect(r.code, r.stderr).toBe(0);
      expect(Buffer.concat(chunks).subarray(1, 4).toString()).toBe('PNG');
      expect((await lstat(join(dir, 'grid.fifo'))).isFIFO()).toBe(true);
      expect((await readdir(dir)).sort()).toEqual(['g.genbench.json', 'g.onnx', 'grid.fifo']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('npm configuration', () => {
  it('npx genbench prints nothing on stderr (no npm config warnings)', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('npx', ['--no-install', 'genbench', '--version'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(r.stderr).toBe('');
  });

  it('still tells onnxruntime-node to skip its CUDA download', async () => {
    const npmrc = await readFile(new URL('../../.npmrc', import.meta.url), 'utf8');
    expect(npmrc).toMatch(/^onnxruntime-node-install=skip$/m);
  });
});
