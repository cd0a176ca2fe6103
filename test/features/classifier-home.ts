import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * GENBENCH_HOME for the classifier tests: the one the environment sets (CI points it at an empty temp folder, so
 * the first test that needs `classifier:mnist` trains it), else one fixed folder under the OS temp dir shared by the
 * test files, so the standard classifier is trained once per machine and reused by later runs.
 *
 * @example
 * process.env['GENBENCH_HOME'] = classifierTestHome(); // '/tmp/genbench-test-home' when unset
 */
export function classifierTestHome(): string {
  return process.env['GENBENCH_HOME'] || join(tmpdir(), 'genbench-test-home');
}
