import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { isAlive } from './fetch.js';

/**
 * A lock file holding its owner's pid, for work that one process on the machine should do at a time (training a
 * cached classifier). Taking it is atomic: the pid is written to a private file that is hard-linked to the lock
 * name (link fails with EEXIST when the lock exists). A lock whose owner died is taken over, under a second atomic
 * lock (`<lock>.takeover`, a mkdir) so that two processes that both saw the dead owner cannot both remove the lock:
 * the one holding the takeover folder checks the owner again, removes the stale lock and links its own; a takeover
 * folder older than `takeoverStaleMs` (default 10 s; a takeover takes milliseconds) was left by a crash and is
 * removed.
 *
 * @example
 * if (await tryLock('/home/u/.genbench/classifiers/mnist-r1.lock')) {
 *   try { await train(); } finally { await releaseLock('/home/u/.genbench/classifiers/mnist-r1.lock'); }
 * } // false: a live process holds it; wait and try again
 */
export interface LockOptions {
  /** The pid written to the lock (default this process's). */
  readonly owner?: number;
  /** Whether a pid runs (default: signal 0). */
  readonly isAlive?: (pid: number) => boolean | Promise<boolean>;
  /** Age after which a takeover folder counts as left by a crash (ms, default 10 000). */
  readonly takeoverStaleMs?: number;
}

/** Takes the lock; false while another live process holds it (or takes it over right now). */
export async function tryLock(lock: string, opts: LockOptions = {}): Promise<boolean> {
  const owner = opts.owner ?? process.pid;
  const mine = `${lock}.${owner}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(mine, String(owner));
  try {
    if (await linked(mine, lock)) return true;
    const seen = await readFile(lock, 'utf8').catch(() => undefined);
    if (seen === undefined || !(await isStale(seen, owner, opts.isAlive ?? isAlive))) return false;
    return await takeOver(lock, seen, mine, opts.takeoverStaleMs ?? 10_000);
  } finally {
    await rm(mine, { force: true });
  }
}

/** Removes the lock when `owner` (default this process) holds it. */
export async function releaseLock(lock: string, owner: number = process.pid): Promise<void> {
  if ((await readFile(lock, 'utf8').catch(() => undefined)) === String(owner)) await rm(lock, { force: true });
}

/** A lock whose text is not a positive pid, or names a process other than `owner` that no longer runs. */
async function isStale(text: string, owner: number, alive: (pid: number) => boolean | Promise<boolean>): Promise<boolean> {
  const pid = Number(text);
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  return pid !== owner && !(await alive(pid));
}

/** Under the takeover folder: the lock, if it still holds the dead owner `seen`, is replaced by `mine`. */
async function takeOver(lock: string, seen: string, mine: string, staleMs: number): Promise<boolean> {
  const guard = `${lock}.takeover`;
  const made = await mkdir(guard).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
      return false;
    },
  );
  if (!made) {
    const info = await stat(guard).catch(() => undefined);
    if (info !== undefined && Date.now() - info.mtimeMs > staleMs) await rm(guard, { recursive: true, force: true });
    return false;
  }
  try {
    const now = await readFile(lock, 'utf8').catch(() => undefined);
    if (now !== undefined && now !== seen) return false; // taken or released and retaken meanwhile
    await rm(lock, { force: true });
    return await linked(mine, lock);
  } finally {
    await rm(guard, { recursive: true, force: true });
  }
}

async function linked(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return false;
  }
}
