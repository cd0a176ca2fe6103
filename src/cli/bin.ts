#!/usr/bin/env node
import { main, reportError } from './main.js';
import { exitPromptly } from './exit.js';
import { installInterruptHandlers } from './interrupt.js';
import { stopAllProgress } from './progress-bar.js';

// An error thrown outside the command's promise chain (a callback, an event handler) is reported like any other:
// one line for a user error, a stack for a bug; then the process ends.
const fatal = (e: unknown): void => {
  stopAllProgress();
  void exitPromptly(reportError(e) || 3);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
// Ctrl-C and SIGTERM: temporary files removed, bars stopped, cursor shown, exit 130 / 143 (interrupt.ts).
installInterruptHandlers();
// The reader of stdout went away (`genbench ... | head`): nothing more can be shown, end quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0) : fatal(e)));

const code = await main(process.argv);
process.exitCode = code;
// A failed command exits now: whatever it left open (an inference session, a timer, a worker) must not keep the
// process alive after its error line. A successful one ends when its work does (`serve` keeps running).
if (code !== 0) await exitPromptly(code);
