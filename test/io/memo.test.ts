import { describe, expect, it } from 'vitest';
import { memoPromise } from '../../src/io/memo.js';

describe('memoPromise', () => {
  it('shares one pending promise between callers and keeps a fulfilled one', async () => {
    const cache = new Map<string, Promise<number>>();
    let made = 0;
    const make = async () => ++made;
    const [a, b] = await Promise.all([memoPromise(cache, 'k', make), memoPromise(cache, 'k', make)]);
    expect([a, b, await memoPromise(cache, 'k', make), made]).toEqual([1, 1, 1, 1]);
  });

  it('drops a rejected promise, so the next call tries again instead of failing forever', async () => {
    const cache = new Map<string, Promise<string>>();
    let attempt = 0;
    const make = async () => {
      attempt++;
      if (attempt === 1) throw new Error('first attempt fails');
      return 'ok';
    };
    await expect(memoPromise(cache, 'k', make)).rejects.toThrow('first attempt fails');
    await Promise.resolve();
    expect(cache.has('k')).toBe(false);
    expect(await memoPromise(cache, 'k', make)).toBe('ok');
    expect(attempt).toBe(2);
  });
});
