// Preloaded into the genbench child by run.ts (node --import): writes the process's peak resident set size in kB
// (getrusage ru_maxrss, the whole lifetime) to GENBENCH_TEST_RSS_FILE when it exits, however it exits.
import { writeFileSync } from 'node:fs';

const file = process.env.GENBENCH_TEST_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
