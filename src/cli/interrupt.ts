import { removePendingTemps } from '../io/atomic.js';
import { endProgressForExit } from './progress-bar.js';

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type Signal = keyof typeof EXIT_CODES;

/**
 * Ctrl-C (SIGINT) and SIGTERM, for every command, in one place: the temporary files of atomic writes under way are
 * removed (so no output is left half-written and no temporary file stays), every progress bar is stopped, one line
 * says why the command ended, the terminal's cursor is shown again, and the process exits 130 (SIGINT) or 143
 * (SIGTERM). Installed once by the executable (bin.ts), first in line.
 *
 * A command that stops gracefully on a signal (train and demo finish the current step, serve and worker close)
 * listens for it itself; while such a listener is registered this handler stands aside, and once the command has
 * dropped it (train's listener is a one-shot) a second Ctrl-C ends the process here.
 *
 * @example
 * installInterruptHandlers(); // then Ctrl-C during `genbench evaluate`: stderr "genbench: interrupted (SIGINT)", exit 130
 */
export function installInterruptHandlers(): void {
  for (const signal of Object.keys(EXIT_CODES) as Signal[]) {
    process.prependListener(signal, () => {
      if (process.listenerCount(signal) > 1) return; // the command's own handler stops it
      exitOnSignal(signal);
    });
  }
}

/** Cleans up and exits with 128 + the signal number (see installInterruptHandlers). */
export function exitOnSignal(signal: Signal): never {
  removePendingTemps();
  endProgressForExit(`genbench: interrupted (${signal}); no output was left half-written`);
  process.exit(EXIT_CODES[signal]);
}
