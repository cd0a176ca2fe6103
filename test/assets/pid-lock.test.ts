import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { releaseLock, tryLock } from '../../src/assets/pid-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genbench-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Pids 1001..1000+n stand for live processes, 999 for a dead one. */
const alive = (pid: number): boolean => pid > 1000;

describe('tryLock', () => {
  it('gives a free lock to one of many contenders, and to nobody else while its owner lives', async () => {
    const lock = join(dir, 'x.lock');
    const won = await Promise.all(Array.from({ length: 12 }, (_, i) => tryLock(lock, { owner: 1001 + i, isAlive: alive })));
    expect(won.filter(Boolean)).toHaveLength(1);
    const owner = 1001 + won.indexOf(true);
    expect(await readFile(lock, 'utf8')).toBe(String(owner));
    await releaseLock(lock, owner + 1); // not the owner: kept
    expect(await tryLock(lock, { owner: 2000, isAlive: alive })).toBe(false);
    await releaseLock(lock, owner);
    expect(await tryLock(lock, { owner: 2000, isAlive: alive })).toBe(true);
  });

  it('lets exactly one of many contenders take over the lock of a dead owner', async () => {
    for (let round = 0; round < 3; round++) {
      const lock = join(dir, `dead-${round}.lock`);
      await writeFile(lock, '999');
      const owners = Array.from({ length: 12 }, (_, i) => 1001 + i);
      const holders = new Set<number>();
      // each contender keeps trying until someone holds the lock; a winner never releases it
      await Promise.all(
        owners.map(async (owner) => {
          for (let i = 0; i < 30; i++) {
            if (await tryLock(lock, { owner, isAlive: alive })) holders.add(owner);
            await new Promise((r) => setImmediate(r));
          }
        }),
      );
      expect([...holders]).toHaveLength(1);
      expect(await readFile(lock, 'utf8')).toBe(String([...holders][0]));
    }
  });

  it('does not remove a lock taken over meanwhile by a process that also saw the dead owner', async () => {
    const lock = join(dir, 'z.lock');
    await writeFile(lock, '999');
    let tookOver: () => void = () => {};
    const after = new Promise<void>((r) => (tookOver = r));
    // B reads the dead owner first, but decides only after A has taken the lock over
    const b = tryLock(lock, { owner: 1002, isAlive: async (pid) => (pid === 999 ? after.then(() => false) : alive(pid)) });
    await new Promise((r) => setTimeout(r, 20));
    expect(await tryLock(lock, { owner: 1001, isAlive: alive })).toBe(true);
    tookOver();
    expect(await b).toBe(false);
    expect(await readFile(lock, 'utf8')).toBe('1001');
    expect(await tryLock(lock, { owner: 1002, isAlive: alive })).toBe(false);
  });

  it('clears a takeover folder left by a crash once it is old', async () => {
    const lock = join(dir, 'y.lock');
    await writeFile(lock, '999');
    await mkdir(`${lock}.takeover`);
    expect(await tryLock(lock, { owner: 1001, isAlive: alive })).toBe(false); // fresh: someone may be taking over
    const old = new Date(Date.now() - 60_000);
    await utimes(`${lock}.takeover`, old, old);
    expect(await tryLock(lock, { owner: 1001, isAlive: alive })).toBe(false); // removed now
    expect(await tryLock(lock, { owner: 1001, isAlive: alive })).toBe(true);
  });
});
