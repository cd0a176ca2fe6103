/**
 * A promise memoised under a key that heals: callers share the pending or fulfilled promise, and a rejected one is
 * dropped (once, by the first rejection) so that the next call tries again instead of failing forever.
 *
 * @example
 * const sessions = new Map<string, Promise<Session>>();
 * const s = await memoPromise(sessions, 'gemm/f32', () => createSession(bytes)); // a failed create is retried next time
 */
export function memoPromise<K, V>(cache: Map<K, Promise<V>>, key: K, make: () => Promise<V>): Promise<V> {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const p = make();
  cache.set(key, p);
  p.catch(() => {
    if (cache.get(key) === p) cache.delete(key);
  });
  return p;
}
