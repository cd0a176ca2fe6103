import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removePendingTemps, writeFileAtomic } from '../../src/io/atomic.js';
import { onnxGenerator } from '../bad-inputs/files.js';
import { BIN } from '../helpers/cli.js';

const HIDE = '\x1b[?25l';
const SHOW = '\x1b[?25h';

/** Runs the built CLI with bars drawn in place (GENBENCH_PROGRESS=tty), sends `signal` once a bar has hidden the cursor. */
function interrupted(args: readonly string[], cwd: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, GENBENCH_PROGRESS: 'tty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && stderr.includes(HIDE)) {
        sent = true;
        child.kill(signal);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('a signal during a progress bar', () => {
  it.concurrent.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: exit %i, the cursor shown again last, no output and no temporary file left', async (signal, code) => {
    const dir = mkdtempSync(join(tmpdir(), 'genbench-interrupt-'));
    await onnxGenerator(join(dir, 'g.onnx'), { nan: false });
    // one image per forward pass: thousands of passes, so the sampling bar runs for a second or more
    const r = await interrupted(['sample', '--generator', 'g.onnx', '--n', '5000', '--batch-size', '1', '--out', 's.npy', '--grid', 's.png'], dir, signal);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toContain(HIDE);
    expect(r.stderr.endsWith(SHOW), JSON.stringify(r.stderr.slice(-120))).toBe(true);
    expect(r.stderr).toContain(`genbench: interrupted (${signal})`);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(readdirSync(dir).sort()).toEqual(['g.genbench.json', 'g.onnx']);
  });
});

describe('removePendingTemps', () => {
  it('removes the temporary file of a write under way; the write then fails and leaves nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genbench-pending-'));
    const write = writeFileAtomic(join(dir, 'big.bin'), new Uint8Array(64 * 2 ** 20));
    const failed = write.then(() => false, () => true);
    while (readdirSync(dir).length === 0) await new Promise((r) => setImmediate(r));
    expect(readdirSync(dir)[0]).toMatch(/^\.big\.bin\.\d+\.[0-9a-f]+\.tmp$/);
    removePendingTemps();
    expect(await failed).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, 'big.bin'))).toBe(false);
  });
});
