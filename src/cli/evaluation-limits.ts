import type { Command } from 'commander';
import { parseIntFlag } from './output.js';

/**
 * The limits of sandboxed evaluations, shared by `genbench serve` and `genbench worker`: --eval-timeout (seconds
 * per attempt), --eval-memory (MiB of the evaluation process), --max-samples (images per evaluation or rating
 * pool) and --max-attempts (per submission, counted in the database). Defaults: DEFAULT_EVALUATION_LIMITS.
 *
 * @example
 * evaluationLimitOptions(new Command('serve'));
 * parseEvaluationLimits({ evalTimeout: '600', evalMemory: '2048', maxSamples: '20000', maxAttempts: '2' });
 * // { timeoutMs: 600000, memoryMb: 2048, maxSamples: 20000, maxAttempts: 2 }
 */
export interface EvaluationLimitFlags {
  evalTimeout: string;
  evalMemory: string;
  maxSamples: string;
  maxAttempts: string;
}

export function evaluationLimitOptions(cmd: Command): Command {
  return cmd
    .option('--eval-timeout <seconds>', 'wall-clock limit of one evaluation attempt; the evaluation process is killed after it', '1800')
    .option('--eval-memory <MiB>', 'memory limit of the evaluation process (V8 heap cap and resident-size watchdog)', '4096')
    .option('--max-samples <n>', 'most images one evaluation or human-rating pool may generate', '50000')
    .option('--max-attempts <n>', 'evaluation attempts per submission before it is marked failed (counted across restarts)', '3');
}

export function parseEvaluationLimits(f: EvaluationLimitFlags): { timeoutMs: number; memoryMb: number; maxSamples: number; maxAttempts: number } {
  return {
    timeoutMs: parseIntFlag('eval-timeout', f.evalTimeout, { min: 1, max: 7 * 24 * 3600 }) * 1000,
    memoryMb: parseIntFlag('eval-memory', f.evalMemory, { min: 256, max: 1024 * 1024 }),
    maxSamples: parseIntFlag('max-samples', f.maxSamples, { min: 2 }),
    maxAttempts: parseIntFlag('max-attempts', f.maxAttempts, { min: 1, max: 100 }),
  };
}
