// Load benchmark of the web server (`npm run bench:web`): requests/s and p99 latency of the leaderboard page `/`
// and of vote POSTs (`/api/rate/trials/:id/vote`), with autocannon against `genbench serve` on 127.0.0.1 in a child
// process (so the load generator does not share the server's event loop). Then checks that every vote the server
// accepted (2xx) is in the database, and nothing else is.
//
// Setup: a fresh database; the shared mnist-dcgan ONNX fixture is submitted and evaluated (small n), 40 more
// models with synthetic reports fill the leaderboard; for the votes, one rater session per vote gets one open trial
// (a session holds one open trial at a time), so each POST is a distinct, valid, first vote.
//
// Env: GENBENCH_ASSETS (default ../shared), BENCH_SECONDS (default 10), BENCH_VOTES (default 600), BENCH_CONNECTIONS (10).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { openStore, createToken, createModel, putEvaluation } = await import(join(root, 'dist/src/store/index.js'));
const shared = process.env.GENBENCH_ASSETS ?? join(root, '..', 'shared');
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const votes = Number(process.env.BENCH_VOTES ?? 600);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const tmp = mkdtempSync(join(tmpdir(), 'genbench-bench-web-'));
const db = join(tmp, 'bench.db');

const server = spawn(process.execPath, [join(root, 'dist/src/cli/bin.js'), 'serve', '--port', '0', '--db', db, '--eval-n', '16', '--eval-bootstrap', '0', '--extractor', 'mobilenet-v1-0.25', '--rater-sessions-per-hour', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, GENBENCH_ASSETS: shared, GENBENCH_HOME: join(tmp, 'home') },
});
try {
  const base = await serverUrl(server);
  const store = await openStore({ db });
  await seed(base, store);
  await store.close();

  const board = await run('GET / (leaderboard)', { url: `${base}/`, duration: seconds });
  const pending = await issueTrials(base, votes);
  await sleep(400); // votes sooner than minVoteMs (150 ms) after issue are rejected as too fast
  const accepted = new Set();
  let next = 0;
  const vote = await run('POST /api/rate/trials/:id/vote', {
    url: base,
    amount: pending.length,
    requests: [
      {
        method: 'POST',
        setupRequest: (req, ctx) => {
          const t = pending[next++ % pending.length];
          ctx.trial = t.trialId;
          return { ...req, path: `/api/rate/trials/${t.trialId}/vote`, headers: { 'content-type': 'application/json', 'cookie': t.cookie }, body: JSON.stringify({ answer: next % 2 ? 'real' : 'fake' }) };
        },
        onResponse: (status, _body, ctx) => {
          if (status >= 200 && status < 300) accepted.add(ctx.trial);
        },
      },
    ],
  });
  const boardAfter = await run('GET / (leaderboard, with human scores)', { url: `${base}/`, duration: Math.max(2, Math.round(seconds / 2)) });

  const check = await openStore({ db });
  const voted = await check.sql.all("SELECT id FROM rating_trials WHERE status = 'voted'");
  await check.close();
  const inDb = new Set(voted.map((r) => r.id));
  const missing = [...accepted].filter((id) => !inDb.has(id));
  const extra = [...inDb].filter((id) => !accepted.has(id));
  console.log(`\nvotes: ${accepted.size} accepted of ${pending.length} sent; in the database: ${inDb.size}; missing: ${missing.length}; unexpected: ${extra.length}`);
  console.log(JSON.stringify({ leaderboard: board, votes: vote, leaderboardWithHuman: boardAfter, votesAccepted: accepted.size, votesInDb: inDb.size }, null, 2));
  if (missing.length > 0 || extra.length > 0 || accepted.size === 0) {
    console.error('FAIL: accepted votes and database disagree');
    process.exitCode = 1;
  }
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(tmp, { recursive: true, force: true });
}

async function run(title, opts) {
  const r = await autocannon({ connections, ...opts });
  const out = { requestsPerSecond: Math.round(r.requests.average), p50ms: r.latency.p50, p99ms: r.latency.p99, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors };
  console.log(`${title.padEnd(44)} ${String(out.requestsPerSecond).padStart(7)} req/s   p99 ${String(out.p99ms).padStart(5)} ms   (${out.requests} requests, ${out.non2xx} non-2xx, ${out.errors} errors)`);
  return out;
}

function serverUrl(child) {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^(http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (c) => reject(new Error(`genbench serve exited (${c})`)));
  });
}

/** Submits the ONNX fixture (evaluated by the server) and adds synthetic leaderboard entries. */
async function seed(base, store) {
  const { token } = await createToken(store.sql, { name: 'bench' });
  const dir = join(shared, 'fixtures', 'submissions');
  const form = new FormData();
  form.append('files', new Blob([readFileSync(join(dir, 'mnist-dcgan.onnx'))]), 'mnist-dcgan.onnx');
  form.append('files', new Blob([readFileSync(join(dir, 'mnist-dcgan.genbench.json'))]), 'mnist-dcgan.genbench.json');
  const res = await fetch(`${base}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 202) throw new Error(`submission refused: ${await res.text()}`);
  const { id, modelId } = await res.json();
  for (;;) {
    const s = await (await fetch(`${base}/api/submissions/${id}`)).json();
    if (s.status === 'failed') throw new Error(`evaluation failed: ${s.error}`);
    if (s.status === 'done') break;
    await sleep(300);
  }
  const template = (await (await fetch(`${base}/api/models/${modelId}`)).json()).evaluations[0];
  const report = JSON.parse(await (await fetch(`${base}/api/evaluations/${template.id}/report.json`)).text());
  for (let i = 0; i < 40; i++) {
    const m = await createModel(store.sql, { name: `synthetic-${i}`, kind: 'baseline', format: 'onnx', manifest: { name: `synthetic-${i}`, license: 'CC0-1.0' } });
    const fd = 20 + i * 1.5;
    const metrics = Object.fromEntries(Object.entries(report.metrics).map(([k, v]) => [k, { ...v, value: k === 'fd' ? fd : v.value, ci95: k === 'fd' ? [fd - 2, fd + 2] : v.ci95 }]));
    await putEvaluation(store.sql, { modelId: m.id, report: { ...report, model: { ...report.model, name: m.name }, metrics }, verified: false });
  }
  return modelId;
}

/** One fresh rater session per trial: POST /api/rate/trials without a cookie, keep the cookie and trial id. */
async function issueTrials(base, count) {
  const models = (await (await fetch(`${base}/api/rate`)).json()).models;
  if (models.length === 0) throw new Error('no ratable model');
  const out = [];
  const started = performance.now();
  const worker = async () => {
    while (out.length < count) {
      const res = await fetch(`${base}/api/rate/trials`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ modelId: models[0].id, protocol: 'inf' }) });
      if (!res.ok) throw new Error(`trial refused: ${await res.text()}`);
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
      const trial = await res.json();
      out.push({ trialId: trial.trialId ?? trial.id, cookie, nonce: randomUUID() });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  console.log(`issued ${out.length} trials in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return out.slice(0, count);
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
