import { mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One feature cache for the test files that do not test the cache itself. Features are content-addressed (same
 * extractor, layer, preprocessing and rows: same file) and written atomically, so files running at the same time
 * can share the folder; the MobileNet features of the 8000 training rows that the memorisation checks read (about
 * 30 s of CPU each time they miss) are then extracted once per run instead of once per file. The folder is
 * `features/` of the environment's GENBENCH_HOME (CI points it at an empty temp folder), else of one fixed folder
 * under the OS temp dir, kept between local runs.
 *
 * @example
 * startServer({ ..., cacheDir: sharedFeatureCache() }); // '/tmp/genbench-test-home/features' when GENBENCH_HOME is unset
 */
export function sharedFeatureCache(): string {
  const dir = join(process.env['GENBENCH_HOME'] || join(tmpdir(), 'genbench-test-home'), 'features');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Makes `home` (created when missing) a GENBENCH_HOME of its own whose `features/` is the shared feature cache:
 * datasets, converted models and everything else stay private to the test.
 *
 * @example
 * const home = withSharedFeatures(mkdtempSync(join(tmpdir(), 'genbench-gate-home-'))); // home/features -> shared
 */
export function withSharedFeatures(home: string): string {
  mkdirSync(home, { recursive: true });
  symlinkSync(sharedFeatureCache(), join(home, 'features'), 'dir');
  return home;
}
