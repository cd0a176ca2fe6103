// The static checks `npm test` runs before vitest, side by side: the type-check of the sources and tests
// (tsc -p tsconfig.test.json) and the lint (npm run lint). Each is about one core for 12-15 s on the 2-core CI
// machine, so together they take the time of the longer one. Their output is printed whole, one after the other,
// and the exit code is the first non-zero one.
//
//   node scripts/checks.mjs   # tsc: ok (11.8 s); lint: ok (13.9 s)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const npm = process.env['npm_execpath'];
const CHECKS = [
  ['tsc', process.execPath, [tsc, '-p', 'tsconfig.test.json']],
  ['lint', npm ? process.execPath : 'npm', npm ? [npm, 'run', '--silent', 'lint'] : ['run', '--silent', 'lint']],
];

const run = ([name, cmd, args]) =>
  new Promise((done) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    child.on('error', (e) => done({ name, code: 1, out: `${e.message}\n`, seconds: 0 }));
    child.on('close', (code) => done({ name, code: code ?? 1, out, seconds: (performance.now() - started) / 1000 }));
  });

const results = await Promise.all(CHECKS.map(run));
for (const r of results) process.stdout.write(r.out);
console.log(results.map((r) => `${r.name}: ${r.code === 0 ? 'ok' : `failed (exit ${r.code})`} (${r.seconds.toFixed(1)} s)`).join('; '));
process.exitCode = results.find((r) => r.code !== 0)?.code ?? 0;
