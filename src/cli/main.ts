import { Command, CommanderError } from 'commander';
import { INTERNAL_EXIT_CODE, isGenbenchError } from '../errors.js';
import { VERSION } from '../version.js';
import { COMMANDS } from './index.js';
import { stopAllProgress } from './progress-bar.js';

/**
 * The `genbench` executable. Exit codes: 0 ok, 1 a check failed, 2 usage or input error, 3 a bug in genbench.
 * A user error prints one line on stderr (`genbench: <message>`), never a stack trace; GENBENCH_DEBUG=1 adds it.
 */
export function buildProgram(): Command {
  const program = new Command('genbench')
    .description('Evaluation and benchmarking suite for generative image models')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const make of COMMANDS.values()) program.addCommand(applyExitOverride(make()));
  return program;
}

function applyExitOverride(cmd: Command): Command {
  cmd.exitOverride();
  for (const sub of cmd.commands) applyExitOverride(sub);
  return cmd;
}

/**
 * Runs one command line and returns its exit status. Progress bars still drawn when the command ends (it threw
 * between a bar's start and stop) are stopped first, so the error line stands on its own line and no bar timer is
 * left running.
 *
 * @example
 * await main(['node', 'genbench', 'backend', '--json']); // 0
 */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    stopAllProgress();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    stopAllProgress();
    return reportError(e);
  }
}

/**
 * Prints an error the way the CLI reports it (one line for a GenbenchError, a stack for a bug) and returns the exit
 * status: 0 for help/version, 1 a failed check, 2 usage or input, 3 a bug.
 *
 * @example
 * reportError(new GenbenchError('INPUT', 'x.npy: truncated')); // stderr: genbench: x.npy: truncated; returns 2
 */
export function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    // commander has already printed its message (or the help text).
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return 2;
  }
  if (isGenbenchError(e)) {
    process.stderr.write(`genbench: ${oneLine(e.message)}\n`);
    if (process.env['GENBENCH_DEBUG']) process.stderr.write(`${e.stack}\n`);
    return e.exitCode;
  }
  process.stderr.write(`genbench: internal error (a bug, please report it): ${(e as Error)?.stack ?? String(e)}\n`);
  return INTERNAL_EXIT_CODE;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
