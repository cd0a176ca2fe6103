import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The shared read-only assets for tests, from GENBENCH_ASSETS (first entry).
 * Outside CI a missing folder skips the tests that need it; in CI (CI=true) it is an error, so nothing is skipped
 * silently there.
 *
 * @example
 * const shared = optionalSharedAssets();
 * describe.skipIf(!shared)('needs MNIST', () => { ... join(shared!, 'datasets/mnist') ... });
 */
export function optionalSharedAssets(): string | undefined {
  const first = (process.env['GENBENCH_ASSETS'] ?? '').split(':').find((s) => s.length > 0);
  const path = first === undefined ? undefined : resolve(first);
  if (path !== undefined && existsSync(path)) return path;
  if (process.env['CI'] === 'true') {
    throw new Error(
      `tests need the shared assets: GENBENCH_ASSETS=${process.env['GENBENCH_ASSETS'] ?? '(unset)'} does not name a folder (set GENBENCH_ASSETS=../shared)`,
    );
  }
  return undefined;
}

/** Like optionalSharedAssets, but throws when the assets are missing (for files that cannot run without them). */
export function sharedAssets(): string {
  const p = optionalSharedAssets();
  if (p === undefined) throw new Error('set GENBENCH_ASSETS=../shared to run this test');
  return p;
}
