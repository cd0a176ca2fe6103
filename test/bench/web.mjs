// Load benchmark of the web server (`npm run bench:web`): requests/s and p99 latency of the leaderboard page `/`
// and of vote POSTs (`/api/rate/trials/:id/vote`), with autocannon against `genbench serve` on 127.0.0.1 in a child
// process (so the load generator does not share the server's event loop). Then checks that every vote the server
// accepted (2xx) is in the database, and nothing else is.
//
// Setup: a fresh database; the shared mnist-dcgan ONNX fixture is submitted and evaluated (small n), 40 more
// models with synthetic reports fill the leaderboard; for the votes, one rater session per vote gets one open trial
// (a session holds one open trial at a time), so each POST is a distinct, valid, first vote.
//
// Last, a deliberately slow ONNX (2000 chained 1024x1024 MatMuls, the graph of test/server/slow-onnx.ts) is
// submitted and `GET /` is measured again while its sandboxed evaluation runs (the submission must still be running
// at the end of that phase, or the phase measured nothing).
//
// Env: GENBENCH_ASSETS (default ../shared), BENCH_SECONDS (default 10), BENCH_VOTES (default 600), BENCH_CONNECTIONS (10).
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { openStore, createToken, createModel, putEvaluation } = await import(join(root, 'dist/src/store/index.js'));
const { encodeModel } = await import(join(root, 'dist/src/io/onnx-model.js'));
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
  const { token } = await createToken(store.sql, { name: 'bench' });
  await seed(base, store, token);
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
  const slowId = await submitSlow(base, token);
  const boardBusy = await run('GET / (while a slow submission evaluates)', { url: `${base}/`, duration: seconds });
  const slowStatus = (await (await fetch(`${base}/api/submissions/${slowId}`)).json()).status;
  console.log(`slow submission at the end of that phase: ${slowStatus}`);
  if (slowStatus !== 'running') {
    console.error('FAIL: the slow submission was not evaluating for the whole phase');
    process.exitCode = 1;
  }

  const check = await openStore({ db });
  const voted = await check.sql.all("SELECT id FROM rating_trials WHERE status = 'voted'");
  await check.close();
  const inDb = new Set(voted.map((r) => r.id));
  const missing = [...accepted].filter((id) => !inDb.has(id));
  const extra = [...inDb].filter((id) => !accepted.has(id));
  console.log(`\nvotes: ${accepted.size} accepted of ${pending.length} sent; in the database: ${inDb.size}; missing: ${missing.length}; unexpected: ${extra.length}`);
  console.log(JSON.stringify({ leaderboard: board, votes: vote, leaderboardWithHuman: boardAfter, leaderboardDuringEvaluation: boardBusy, votesAccepted: accepted.size, votesInDb: inDb.size }, null, 2));
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
async function seed(base, store, token) {
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

/** Submits a valid but slow MNIST generator (z [N, 64] -> 2000 chained 1024 x 1024 MatMuls -> tanh) and waits until it evaluates. */
async function submitSlow(base, token) {
  const width = 1024;
  const layers = 2000;
  const ramp = (n, scale) => Float32Array.from({ length: n }, (_, i) => ((((i * 37) % 101) - 50) / 50) * scale);
  const eye = new Float32Array(width * width);
  for (let i = 0; i < width; i++) eye[i * width + i] = 1;
  const nodes = [{ op: 'MatMul', inputs: ['z', 'w_in'], outputs: ['h0'] }];
  for (let k = 0; k < layers; k++) nodes.push({ op: 'MatMul', inputs: [`h${k}`, 'w'], outputs: [`h${k + 1}`] });
  nodes.push({ op: 'MatMul', inputs: [`h${layers}`, 'w_out'], outputs: ['o'] }, { op: 'Tanh', inputs: ['o'], outputs: ['t'] }, { op: 'Reshape', inputs: ['t', 'shape'], outputs: ['x'] });
  const initializers = [
    { name: 'w_in', dims: [64, width], data: ramp(64 * width, 0.1) },
    { name: 'w', dims: [width, width], data: eye },
    { name: 'w_out', dims: [width, 784], data: ramp(width * 784, 0.05) },
    { name: 'shape', dims: [4], data: BigInt64Array.of(-1n, 1n, 28n, 28n) },
  ];
  const bytes = encodeModel({ name: 'slow_generator', nodes, initializers, inputs: [{ name: 'z', type: 'float32', shape: ['N', 64] }], outputs: [{ name: 'x', type: 'float32', shape: ['N', 1, 28, 28] }] }, { opset: 13 });
  const manifest = { name: 'slow', format: 'onnx', file: 'slow.onnx', input: 'z', latent_dim: 64, output: 'x', output_layout: 'NCHW', output_range: '[-1,1]', image_shape: [1, 28, 28], conditional: null, dataset: 'mnist', license: 'CC0-1.0', sha256: createHash('sha256').update(bytes).digest('hex') };
  const form = new FormData();
  form.append('files', new Blob([bytes]), 'slow.onnx');
  form.append('files', new Blob([JSON.stringify(manifest)]), 'slow.genbench.json');
  const res = await fetch(`${base}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 202) throw new Error(`slow submission refused: ${await res.text()}`);
  const { id } = await res.json();
  for (let t = Date.now(); (await (await fetch(`${base}/api/submissions/${id}`)).json()).status !== 'running'; await sleep(100)) {
    if (Date.now() - t > 30_000) throw new Error('the slow submission did not start evaluating');
  }
  return id;
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
