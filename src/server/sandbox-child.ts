import { isGenbenchError } from '../errors.js';
import type { PoolFilesInput } from '../rating/images.js';
import type { EvaluationFilesInput, EvaluationFilesOutput } from './evaluation-run.js';

/**
 * The entry of the evaluation process that sandbox.ts forks: it takes tasks over IPC, one at a time, runs each on
 * files (an evaluation of a checkpoint folder, or the sampling of a rating pool) and answers with the result, then
 * waits GENBENCH_SANDBOX_IDLE_MS for another; after an error it answers with the one-line message and exits. It watches its own resident size too (GENBENCH_SANDBOX_MEMORY_MB) and leaves when the server
 * that started it goes away (the IPC channel closes).
 *
 * @example
 * // parent: fork('dist/src/server/sandbox-child.js', [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' })
 * child.send({ task: { kind: 'pool', input: { checkpoint: '/w/g.genbench.json', n: 1000, seed: 0, out: '/w/pool.npy' } } });
 * // child answers { ok: true, result: { kind: 'pool', shape: [1000, 28, 28, 1] } } and waits for the next task
 */
export type SandboxTask = { readonly kind: 'evaluate'; readonly input: EvaluationFilesInput } | { readonly kind: 'pool'; readonly input: PoolFilesInput };

export type SandboxReply =
  | { readonly ok: true; readonly result: ({ kind: 'evaluate' } & EvaluationFilesOutput) | { kind: 'pool'; shape: [number, number, number, number] } }
  | { readonly ok: false; readonly error: { readonly message: string; readonly code?: string; readonly limit?: 'memory' } };

async function run(task: SandboxTask): Promise<Extract<SandboxReply, { ok: true }>['result']> {
  if (task.kind === 'evaluate') {
    const { runEvaluationFiles } = await import('./evaluation-run.js');
    return { kind: 'evaluate', ...(await runEvaluationFiles(task.input)) };
  }
  const { samplePoolFiles } = await import('../rating/images.js');
  return { kind: 'pool', ...(await samplePoolFiles(task.input)) };
}

function reply(m: SandboxReply, exit: boolean): void {
  process.send!(m, () => (exit ? process.exit(0) : undefined));
}

if (process.send !== undefined) {
  const limitMb = Number(process.env['GENBENCH_SANDBOX_MEMORY_MB'] ?? 0);
  const idleMs = Number(process.env['GENBENCH_SANDBOX_IDLE_MS'] ?? 30_000);
  if (limitMb > 0) {
    setInterval(() => {
      if (process.memoryUsage.rss() > limitMb * 2 ** 20) reply({ ok: false, error: { message: 'memory limit', limit: 'memory' } }, true);
    }, 250).unref();
  }
  let idle: NodeJS.Timeout | undefined;
  const waitIdle = (): void => {
    idle = setTimeout(() => process.exit(0), idleMs); // nobody reused this process: leave
  };
  process.on('disconnect', () => process.exit(1));
  process.on('message', (m: { task: SandboxTask }) => {
    clearTimeout(idle);
    run(m.task).then(
      (result) => {
        reply({ ok: true, result }, false);
        waitIdle();
      },
      (e: unknown) => reply({ ok: false, error: { message: (e instanceof Error ? e.message : String(e)).split('\n')[0]!, ...(isGenbenchError(e) ? { code: e.code } : {}) } }, true),
    );
  });
}
