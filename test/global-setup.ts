import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifierTestHome } from './features/classifier-home.js';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The folders tsconfig.json compiles into dist/. */
const SOURCES = ['src', 'metrics', 'reference-models', 'leaderboard'];

/**
 * Builds dist/ before the tests (tsc, then the site's static files), so that CLI tests (which run
 * `node dist/src/cli/bin.js` as a user would) run the current sources. tsc is skipped when dist/ is fresh: every
 * source's .js is newer than the source and than tsconfig.json (tsc rewrites every output on each build; `npm ci`'s
 * prepare has just built it in CI). Type errors do not stop the build here; `npm test` type-checks sources and tests
 * first (`tsc -p tsconfig.test.json`), so CI fails on them.
 *
 * In CI (CI=true) it also starts training the standard classifiers of PneumoniaMNIST and polygons (about 2 minutes)
 * in one background process into the tests' GENBENCH_HOME, so that training overlaps the rest of the suite instead of
 * running inside classifier-datasets.test.ts; that file waits for it under the classifier lock (or trains itself if
 * it failed) and checks the same things either way. The process runs at normal priority: with two test workers on
 * two cores a niced one starved, and the file waiting for it became the end of the run. classifier:mnist (about a
 * minute) is still trained in-process by classifier.test.ts, whose tensor-leak check includes training. Each is
 * trained once per run.
 */
export default function setup(): () => void {
  if (!distIsFresh()) {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, stdio: 'pipe' });
    } catch (e) {
      const out = (e as { stdout?: Buffer }).stdout?.toString() ?? String(e);
      process.stderr.write(`warning: tsc reported errors while building dist/ for the CLI tests:\n${out}\n`);
    }
  }
  // the site's static files (src/server/public) are copied, not compiled: keep dist's copy current too
  execFileSync(process.execPath, ['scripts/copy-assets.mjs'], { cwd: root, stdio: 'pipe' });
  const trainer = process.env['CI'] === 'true' ? startClassifierTraining() : undefined;
  return () => stopClassifierTraining(trainer);
}

/** True when dist/ holds a .js for every source .ts, each newer than its source and than tsconfig.json. */
function distIsFresh(): boolean {
  const config = statSync(join(root, 'tsconfig.json')).mtimeMs;
  for (const dir of SOURCES) {
    if (!existsSync(join(root, dir))) continue;
    for (const rel of readdirSync(join(root, dir), { recursive: true }) as string[]) {
      if (!rel.endsWith('.ts') || rel.endsWith('.d.ts')) continue;
      const out = join(root, 'dist', dir, rel.replace(/\.ts$/, '.js'));
      if (!existsSync(out)) return false;
      const built = statSync(out).mtimeMs;
      if (built < config || built < statSync(join(root, dir, rel)).mtimeMs) return false;
    }
  }
  return true;
}

interface Trainer {
  readonly child: ChildProcess;
  readonly log: string;
  exit: number | null;
}

const TRAIN_ALL = `
const { ensureClassifier } = await import(process.argv[1]);
for (const name of ['pneumoniamnist', 'polygons']) {
  const t = Date.now();
  await ensureClassifier(name);
  console.log(name + ' ready after ' + ((Date.now() - t) / 1000).toFixed(0) + ' s');
}`;

/** Starts `ensureClassifier` for those recipes in a child process (output to a log in the home). */
function startClassifierTraining(): Trainer {
  const home = classifierTestHome();
  mkdirSync(join(home, 'classifiers'), { recursive: true });
  const log = join(home, 'classifiers', 'pretrain.log');
  const fd = openSync(log, 'w');
  const entry = join(root, 'dist/src/features/index.js');
  const child = spawn(process.execPath, ['--input-type=module', '-e', TRAIN_ALL, entry], {
    cwd: root,
    env: { ...process.env, GENBENCH_HOME: home },
    stdio: ['ignore', fd, fd],
  });
  const trainer: Trainer = { child, log, exit: null };
  child.on('exit', (code) => (trainer.exit = code ?? 1));
  return trainer;
}

/** Stops a trainer still running when the tests end (its lock and temp folder are cleaned by the next run). */
function stopClassifierTraining(t: Trainer | undefined): void {
  if (t === undefined) return;
  if (t.exit === null) t.child.kill('SIGTERM');
  else if (t.exit !== 0) process.stderr.write(`warning: background classifier training failed (exit ${t.exit}):\n${readFileSync(t.log, 'utf8').slice(-2000)}\n`);
}
