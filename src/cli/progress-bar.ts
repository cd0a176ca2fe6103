import cliProgress from 'cli-progress';
import type { Progress } from '../progress.js';

/**
 * A Progress drawn on stderr with cli-progress. On a terminal it redraws in place; elsewhere (CI logs) it prints
 * a line every few seconds, so long work is visible without flooding the log. `--quiet` turns it off.
 */
export function stderrProgress(opts: { quiet?: boolean } = {}): Progress {
  if (opts.quiet) return { start() {}, tick() {}, stop() {} };
  let bar: cliProgress.SingleBar | null = null;
  let done = 0;
  return {
    start(total, label) {
      bar?.stop();
      done = 0;
      bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: `${label} [{bar}] {percentage}% {value}/{total} eta {eta_formatted} {info}`,
          barsize: 24,
          hideCursor: true,
          noTTYOutput: true,
          notTTYSchedule: 5000,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { info: '' });
    },
    tick(n = 1, info) {
      done += n;
      bar?.update(done, info === undefined ? {} : { info });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
