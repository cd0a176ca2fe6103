import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium for the browser tests, driven by playwright-core (never a downloaded browser). In CI
 * (CI=true) a missing chromium is an error at import, not a skipped test.
 *
 * @example
 * describe.skipIf(!HAS_CHROMIUM)('browser: ...', () => { let b: Browser; beforeAll(async () => (b = await launchChromium())); });
 */
export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
if (process.env['CI'] === 'true' && !HAS_CHROMIUM) throw new Error(`${CHROMIUM} is missing: the browser test needs Debian's chromium (.ci/run installs it)`);

/** Headless chromium with the flags the tests run it with (no sandbox, GPU, background networking or updates). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}
