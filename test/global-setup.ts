import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Builds dist/ once before the tests (tsc, then the site's static files), so that CLI tests (which run `node dist/src/cli/bin.js` as a user would) run
 * the current sources. Type errors do not stop the build here; `npm test` type-checks sources and tests first
 * (`tsc -p tsconfig.test.json`), so CI fails on them.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, stdio: 'pipe' });
  } catch (e) {
    const out = (e as { stdout?: Buffer }).stdout?.toString() ?? String(e);
    process.stderr.write(`warning: tsc reported errors while building dist/ for the CLI tests:\n${out}\n`);
  }
  // the site's static files (src/server/public) are copied, not compiled: keep dist's copy current too
  execFileSync(process.execPath, ['scripts/copy-assets.mjs'], { cwd: root, stdio: 'pipe' });
}
