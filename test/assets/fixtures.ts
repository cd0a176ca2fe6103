import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const ENV_KEYS = ['GENBENCH_HOME', 'GENBENCH_ASSETS', 'GENBENCH_OFFLINE', 'GENBENCH_MIRROR'] as const;

/**
 * Per-test temp folders and a clean asset environment: call once at the top of a test file; `tempDir()` makes a
 * fresh folder (fs.mkdtemp) that is removed, and the GENBENCH_* variables restored, after each test.
 */
export function useTempDirs(): { tempDir: (label: string) => Promise<string> } {
  const made: string[] = [];
  const saved = new Map(ENV_KEYS.map((k) => [k, process.env[k]]));
  afterEach(async () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    for (const d of made.splice(0)) await rm(d, { recursive: true, force: true });
  });
  return {
    tempDir: async (label) => {
      const d = await mkdtemp(join(tmpdir(), `genbench-${label}-`));
      made.push(d);
      return d;
    },
  };
}

/** Every entry below `dir` (relative paths, sorted), or [] when it does not exist. */
export async function listTree(dir: string): Promise<string[]> {
  try {
    return ((await readdir(dir, { recursive: true })) as string[]).sort();
  } catch {
    return [];
  }
}
