import cliProgress from 'cli-progress';
import { GenbenchError } from '../errors.js';
import type { Progress } from '../progress.js';

/** Bars drawn now (started, not stopped): stopped by `stopAllProgress` when a command ends, however it ends. */
const active = new Set<Bar>();
const LOG_EVERY_MS = 5000;
const SHOW_CURSOR = '\x1b[?7h\x1b[?25h'; // line wrapping back on, cursor shown (cli-progress turns both off)
/** True once a bar has been drawn in place (cursor hidden) in this process. */
let drewInPlace = false;

/**
 * A Progress drawn on stderr. On a terminal cli-progress redraws it in place; elsewhere (CI logs, pipes) it prints
 * a plain line every 5 s while the work runs and one when it ends (work under 5 s prints nothing), so long work is
 * visible without flooding the log. `--quiet` turns it off (progress only: warnings are still printed). A bar that is never stopped (the work
 * threw) would keep its timer and the hidden cursor: the CLI calls `stopAllProgress` after every command, on
 * success and on error, and `endProgressForExit` on Ctrl-C (interrupt.ts). GENBENCH_PROGRESS=tty draws the bars in
 * place even when stderr is not a terminal (a log viewer that understands cursor codes), =plain prints the plain
 * lines even on a terminal.
 *
 * @example
 * const p = stderrProgress({ quiet: false });
 * p.start(100, 'decoding images'); p.tick(10); p.stop(); // stderr: decoding images [███░░...] 10% 10/100 ...
 */
export function stderrProgress(opts: { quiet?: boolean } = {}): Progress {
  if (opts.quiet) return { start() {}, tick() {}, stop() {} };
  const inPlace = drawInPlace();
  let bar: Bar | null = null;
  let done = 0;
  const stop = (): void => {
    if (bar === null) return;
    const b = bar;
    bar = null;
    active.delete(b);
    b.finish();
  };
  return {
    start(total, label) {
      stop();
      done = 0;
      bar = inPlace ? ttyBar(total, label) : logBar(total, label);
      active.add(bar);
    },
    tick(n = 1, info) {
      done += n;
      bar?.update(done, info);
    },
    stop,
  };
}

/** Bars in place (cli-progress) or plain lines: GENBENCH_PROGRESS=tty or plain, else whether stderr is a terminal. */
function drawInPlace(): boolean {
  const mode = process.env['GENBENCH_PROGRESS'] ?? '';
  if (mode === 'tty') return true;
  if (mode === 'plain') return false;
  if (mode !== '') throw new GenbenchError('USAGE', `GENBENCH_PROGRESS='${mode}': expected tty (bars drawn in place) or plain (a line every 5 s); unset it for the default`);
  return process.stderr.isTTY === true;
}

/**
 * One drawn bar: `finish` is the normal end (final state drawn), `abandon` the end after an error or a signal
 * (nothing drawn; the line is ended); it returns whether the bar had hidden the cursor.
 */
interface Bar {
  update(done: number, info: string | undefined): void;
  finish(): void;
  abandon(): boolean;
}

/** stderr as cli-progress sees it: stderr itself on a terminal, else stderr claiming to be one (GENBENCH_PROGRESS=tty). */
function barStream(): NodeJS.WritableStream {
  if (process.stderr.isTTY) return process.stderr;
  const stream = { isTTY: true, columns: 100, write: (chunk: string, cb?: () => void) => process.stderr.write(chunk, cb) };
  return stream as unknown as NodeJS.WritableStream;
}

/** On a terminal: cli-progress, redrawn in place, cursor hidden while it runs. */
function ttyBar(total: number, label: string): Bar {
  drewInPlace = true;
  const b = new cliProgress.SingleBar(
    {
      stream: barStream(),
      format: `${label} [{bar}] {percentage}% {value}/{total} eta {eta_formatted} {info}`,
      barsize: 24,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  b.start(total, 0, { info: '' });
  return {
    update: (done, info) => b.update(done, info === undefined ? {} : { info }),
    finish: () => b.stop(),
    abandon() {
      // stop without the final redraw; end the bar's line so the error message starts on its own
      const timer = (b as unknown as { timer: NodeJS.Timeout | null }).timer;
      if (timer !== null) clearTimeout(timer);
      (b as unknown as { timer: NodeJS.Timeout | null }).timer = null;
      process.stderr.write('\n');
      return true;
    },
  };
}

/**
 * Elsewhere (CI logs, pipes): one plain line every LOG_EVERY_MS while the work runs and, if it printed any, one
 * when it ends. Short work prints nothing, so a command that fails prints its error line only. The timer never
 * keeps the process alive.
 */
function logBar(total: number, label: string): Bar {
  const started = Date.now();
  let done = 0;
  let info = '';
  let printed = false;
  const line = (): void => {
    printed = true;
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    const s = (Date.now() - started) / 1000;
    const eta = done > 0 && done < total ? ` eta ${Math.round((s * (total - done)) / done)}s` : '';
    process.stderr.write(`${label} ${pct}% ${done}/${total}${eta}${info ? ` ${info}` : ''}\n`);
  };
  const timer = setInterval(line, LOG_EVERY_MS);
  timer.unref();
  return {
    update(d, i) {
      done = d;
      if (i !== undefined) info = i;
    },
    finish() {
      clearInterval(timer);
      if (printed) line();
    },
    abandon() {
      clearInterval(timer);
      return false;
    },
  };
}

/**
 * Stops every bar still drawn (their timers end, the cursor is shown again). Safe to call at any time, repeatedly.
 *
 * @example
 * try { await work(stderrProgress()); } finally { stopAllProgress(); }
 */
export function stopAllProgress(): void {
  if (abandonAll()) write(SHOW_CURSOR);
}

/**
 * The end of the process on a signal: every bar stopped, `line` printed on its own line, and the terminal put back
 * last (cursor shown, line wrapping on) whenever a bar was ever drawn in place, so nothing after it can leave the
 * cursor hidden.
 *
 * @example
 * endProgressForExit('genbench: interrupted (SIGINT)'); // stderr: "\ngenbench: interrupted (SIGINT)\n\x1b[?7h\x1b[?25h"
 */
export function endProgressForExit(line: string): void {
  const hidden = abandonAll();
  write(`${line}\n`);
  if (hidden || drewInPlace) write(SHOW_CURSOR);
}

/** Abandons every active bar; true when one of them had hidden the cursor. */
function abandonAll(): boolean {
  let hidden = false;
  for (const b of [...active]) {
    active.delete(b);
    try {
      hidden = b.abandon() || hidden;
    } catch {
      // a closed stream: nothing left to draw on
    }
  }
  return hidden;
}

function write(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    // a closed stream: nothing left to draw on
  }
}

/** Number of bars drawn now (tests). */
export function activeProgressCount(): number {
  return active.size;
}

// Whatever path ends the process (process.exit, an uncaught exception), never leave the terminal's cursor hidden.
process.once('exit', () => {
  if (active.size > 0 && drewInPlace) write(SHOW_CURSOR);
});
