import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { DemoResult } from '../demo/run-demo.js';
import { DEMO_DEFAULTS, type DemoSettings } from '../demo/plan.js';
import { GenbenchError } from '../errors.js';
import type { Store } from '../store/index.js';
import { log, parseIntFlag, printJson, printLine } from './output.js';
import { stderrProgress } from './progress-bar.js';

/**
 * `genbench demo`: the whole system in one command. Trains small reference models (DCGAN and a VAE on MNIST
 * test[:8000], plus a cDCGAN with --minutes 1.5 or more) for --minutes in total, evaluates them and the built-in
 * ONNX baselines (found in the shared assets, GENBENCH_ASSETS) with one recipe, fills the database with the reports,
 * sample grids and training curves, then serves the leaderboard and prints its URL on stdout (JSON with --json).
 * Progress goes to stderr. Re-running reuses the checkpoints (`<db>.demo/runs/`) and the evaluations already in the
 * database. `--no-serve` stops after filling the database. Ctrl-C stops cleanly (exit 130 while working).
 *
 * @example
 * genbench demo                       # ... stdout: http://127.0.0.1:8080
 * genbench demo --minutes 0.5 --n 200 --no-serve --json   # { "db": "/abs/genbench.db", "url": null, "models": [...] }
 */
interface DemoFlags {
  port: string;
  host: string;
  db: string;
  minutes: string;
  n: string;
  bootstrap: string;
  extractor?: string;
  models?: string;
  seed: string;
  serve: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('train small reference models, evaluate them and the built-in baselines, fill the database and serve the leaderboard')
    .option('--port <port>', 'TCP port of the leaderboard (0: any free port)', '8080')
    .option('--host <address>', 'address to listen on (0.0.0.0 for the network)', '127.0.0.1')
    .option('--db <path>', 'SQLite database file (created when missing; work files in <db>.demo/)', 'genbench.db')
    .option('--minutes <m>', 'total training time of the reference models', String(DEMO_DEFAULTS.minutes))
    .option('--n <count>', 'generated samples per evaluation (also what the server uses for submissions)', String(DEMO_DEFAULTS.n))
    .option('--bootstrap <n>', 'bootstrap resamples for the 95% intervals (0: none)', String(DEMO_DEFAULTS.bootstrap))
    .option('--extractor <id>', 'feature extractor (default mobilenet-v1-0.75; mobilenet-v1-0.25 is faster)')
    .option('--models <list>', 'only these, comma-separated: dcgan, vae, cdcgan and/or baseline names (mnist-dcgan, ...)')
    .option('--seed <int>', 'seed of the weights, shuffles and latents', String(DEMO_DEFAULTS.seed))
    .option('--no-serve', 'exit after filling the database')
    .option('--json', 'print { db, url, models } as JSON on stdout')
    .option('--quiet', 'no progress bars')
    .action(runDemoCommand);
}

async function runDemoCommand(f: DemoFlags): Promise<void> {
  const settings = parseSettings(f);
  const port = parseIntFlag('port', f.port, { min: 0, max: 65535 });
  const db = resolve(f.db);
  const { openStore } = await import('../store/index.js');
  const { runDemo } = await import('../demo/run-demo.js');
  const { demoWorkDir, planDemo } = await import('../demo/plan.js');
  const { findBaselines } = await import('../demo/baselines.js');
  const baselines = await findBaselines();
  planDemo(settings, baselines); // a bad --models list fails here, before the database is created
  if (f.serve && port !== 0) await checkPortFree(f.host, port); // not after minutes of training
  const store = await openStore({ db });
  const abort = new AbortController();
  const onSigint = (): void => {
    log('genbench demo: interrupted; stopping after this step (what is done stays in the database)');
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  let result: DemoResult;
  try {
    log(`genbench demo: database ${db}`);
    result = await runDemo({ store, settings, baselines, workDir: demoWorkDir(db), progress: stderrProgress({ quiet: f.quiet === true }), log: (l) => log(`genbench demo: ${l}`), signal: abort.signal });
  } catch (e) {
    await store.close();
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (result.interrupted) {
    await store.close();
    process.exitCode = 130;
    return;
  }
  log(`genbench demo: ${result.models.length} models on the leaderboard`);
  if (!f.serve) {
    await store.close();
    if (f.json) printJson({ db, url: null, models: result.models });
    else printLine(db);
    return;
  }
  await serve(store, { db, port, host: f.host, settings, json: f.json === true, result });
}

/** Throws the USAGE error of a busy or forbidden port now (the server binds it again after the work). */
async function checkPortFree(host: string, port: number): Promise<void> {
  const probe = createServer();
  await new Promise<void>((done, fail) => {
    probe.once('error', fail);
    probe.listen(port, host, () => probe.close(() => done()));
  }).catch((e: NodeJS.ErrnoException) => {
    throw portError(e, port);
  });
}

function portError(e: NodeJS.ErrnoException, port: number): Error {
  if (e.code === 'EADDRINUSE') return new GenbenchError('USAGE', `--port ${port}: address in use; pick another port (--port 0 for any free one) or stop the other server`);
  if (e.code === 'EACCES') return new GenbenchError('USAGE', `--port ${port}: permission denied; use a port above 1023`);
  return e;
}

function parseSettings(f: DemoFlags): DemoSettings {
  const minutes = Number(f.minutes);
  if (!/^\d*\.?\d+$/.test(f.minutes.trim()) || !(minutes >= 0)) throw new GenbenchError('USAGE', `--minutes: expected a number of minutes >= 0, got '${f.minutes}'`);
  const bootstrap = parseIntFlag('bootstrap', f.bootstrap, { min: 0 });
  if (bootstrap === 1) throw new GenbenchError('USAGE', '--bootstrap: give 0 (none) or at least 2 resamples, e.g. 20');
  const models = f.models?.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return {
    minutes,
    n: parseIntFlag('n', f.n, { min: 2 }),
    bootstrap,
    seed: parseIntFlag('seed', f.seed, { min: 0, max: 0xffffffff }),
    ...(f.extractor === undefined ? {} : { extractor: f.extractor }),
    ...(models === undefined ? {} : { models }),
  };
}

/** Serves the filled database with the demo's recipe as the server's evaluation settings, until Ctrl-C. */
async function serve(store: Store, o: { db: string; port: number; host: string; settings: DemoSettings; json: boolean; result: DemoResult }): Promise<void> {
  const { startServer } = await import('../server/serve.js');
  const { internalErrorLine } = await import('../server/errors.js');
  const { n, bootstrap, extractor } = o.settings;
  const server = await startServer({
    store,
    port: o.port,
    host: o.host,
    evaluation: { n, bootstrap, ...(extractor === undefined ? {} : { extractor }) },
    app: { onInternalError: (e, request) => log(internalErrorLine(e, request)) },
  }).catch(async (e: NodeJS.ErrnoException) => {
    await store.close();
    throw portError(e, o.port);
  });
  log(`genbench demo: serving ${server.url} (Ctrl-C to stop; \`genbench serve --db ${o.db}\` serves it again later)`);
  if (o.json) printJson({ db: o.db, url: server.url, models: o.result.models });
  else printLine(server.url);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      log('genbench demo: stopping');
      void server.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
