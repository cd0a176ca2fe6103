import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

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
  },
});
