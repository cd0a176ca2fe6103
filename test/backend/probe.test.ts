import { afterAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/backend/index.js';

/**
 * The unpinned choice tries the native backends first. Where a native package is absent or installed without its
 * binding (an optional dependency whose libtensorflow download failed, as on machines without that download), it
 * is skipped with a reason, and the probe prints nothing: importing a binding-less package would register its
 * kernels on tfjs-core first, and the next one tried would print an "already registered" warning per kernel.
 */
describe('backend probe', () => {
  const warn = vi.spyOn(console, 'warn');
  afterAll(() => warn.mockRestore());

  it('skips native backends that cannot start, with a reason, and warns about nothing', async () => {
    const choice = await initBackend();
    for (const t of choice.tried) expect(t.error, t.name).toMatch(/^\S[^\n]*$/);
    if (process.env['CI'] === 'true') {
      // CI installs with npm ci on a machine where the libtensorflow download fails: both are binding-less
      expect(choice.name).toBe('wasm');
      expect(choice.tried.map((t) => t.name)).toEqual(['tensorflow-gpu', 'tensorflow']);
      for (const t of choice.tried) expect(t.error).toMatch(/^@tensorflow\/tfjs-node(-gpu)? is (not installed|installed without its native binding)/);
    }
    expect(warn.mock.calls.filter((c) => /already registered/.test(String(c[0])))).toEqual([]);
  });
});
