import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest (40 s or more each on the 2-core CI machine), longest first. Without recorded durations
 * (a clean clone, as in CI) vitest runs the larger files first, which started the small calibration.test.ts last:
 * it then ran alone at the end while the other worker sat idle. These start first instead.
 */
const SLOW_FIRST = [
  'test/features/classifier.test.ts',
  'test/demo/demo.test.ts',
  'test/cli/sanity.test.ts',
  'test/cli/evaluate.test.ts',
  'test/reference-models/cdcgan-labels.test.ts',
  'test/memorization/null-calibration.test.ts',
  'test/server/app.test.ts',
  'test/gate/gate-cli.test.ts',
  'test/harness/calibration.test.ts',
  'test/bad-inputs/cli.test.ts',
];

/** vitest's order (failed first, then longest first by the recorded durations), with the SLOW_FIRST files it has no durations for first. */
class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const path = relative(this.ctx.config.root, f.moduleId);
      const i = SLOW_FIRST.indexOf(path);
      return i < 0 || this.ctx.cache.getFileTestResults(`${f.project.name}:${path}`) !== undefined ? SLOW_FIRST.length : i;
    };
    const ranks = new Map(sorted.map((f) => [f, rank(f)]));
    return sorted.sort((a, b) => ranks.get(a)! - ranks.get(b)!); // stable: the rest keep vitest's order
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default (cores - 1) is one worker on a 2-core machine, which leaves a core idle while a test waits
    // on a child process, a server or a service; two workers keep both busy.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: SlowFirstSequencer },
  },
});
