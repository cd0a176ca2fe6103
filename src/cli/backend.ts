import { Command } from 'commander';
import { log, printJson, printLine } from './output.js';

/** `genbench backend`: which tfjs backend this machine would use, and why. */
export function backendCommand(): Command {
  return new Command('backend')
    .description('show which compute backend genbench picks here (order: tensorflow-gpu > tensorflow > wasm > cpu)')
    .option('--backend <name>', 'pin a backend (also GENBENCH_BACKEND): node-gpu, node, wasm, cpu')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: { backend?: string; json?: boolean }) => {
      // Imported here, not at the top: loading tfjs takes most of a second, and `--help` should not wait for it.
      const { initBackend, tf } = await import('../backend/index.js');
      const choice = await initBackend(opts.backend);
      const report = { backend: choice.name, reason: choice.reason, tried: choice.tried, tfjs: tf.version.tfjs };
      if (opts.json) printJson(report);
      else {
        printLine(`backend: ${choice.name} (${choice.reason})`);
        for (const t of choice.tried) log(`  ${t.name} unavailable: ${t.error}`);
      }
    });
}
