import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNpy, writeNpy } from '../../src/io/npy.js';
import { exactNearestNeighbors } from '../../src/nn/exact.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';
import { bruteForce, clustered } from './brute.js';

const dir = mkdtempSync(join(tmpdir(), 'genbench-nn-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const home = { GENBENCH_HOME: join(dir, 'home') };

async function npy(name: string, m: { rows: number; cols: number; data: Float64Array | Float32Array }): Promise<string> {
  const path = join(dir, name);
  await writeNpy(path, m.data, [m.rows, m.cols]);
  return path;
}

describe('genbench nn', () => {
  it('prints indices, distances and the recipe as JSON (exact and hnsw)', async () => {
    const train = clustered(200, 6, 1);
    const query = clustered(5, 6, 2);
    const t = await npy('T.npy', train);
    const q = await npy('Q.npy', query);
    const want = bruteForce(train, query, 3, 'cosine');
    const r = await runCli(['nn', '--train', t, '--query', q, '--k', '3', '--metric', 'cosine', '--exact', '--json'], { env: home });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { indices: number[][]; distances: number[][]; recipe: Record<string, unknown> };
    expect(out.indices).toEqual(want.indices.map((x) => [...x]));
    out.distances.forEach((d, i) => d.forEach((v, t2) => expect(v).toBeCloseTo(want.distances[i]![t2]!, 12)));
    expect(out.recipe).toMatchObject({ command: 'nn', method: 'exact', metric: 'cosine', k: 3 });
    const h = await runCli(['nn', '--train', t, '--query', q, '--k', '3', '--hnsw', '--json'], { env: home });
    expect(h.code, h.stderr).toBe(0);
    expect(JSON.parse(h.stdout).recipe).toMatchObject({ method: 'hnsw', m: 48, efConstruction: 200, cacheHit: false });
    const tuned = await runCli(['nn', '--train', t, '--query', q, '--k', '3', '--hnsw', '--ef', '40', '--m', '12', '--project', '4', '--json'], { env: home });
    expect(tuned.code, tuned.stderr).toBe(0);
    const tr = JSON.parse(tuned.stdout) as { indices: number[][]; distances: number[][]; recipe: Record<string, unknown> };
    expect(tr.recipe).toMatchObject({ method: 'hnsw', m: 12, ef: 40, project: 4, candidates: 'max(2k, 20)' });
    const l2 = bruteForce(train, query, 3, 'l2');
    expect(tr.indices).toEqual(l2.indices.map((x) => [...x])); // 200 rows: the 20 candidates hold the 3 nearest
  });

  it('bad input exits 2 with one line', async () => {
    const t = await npy('T2.npy', clustered(20, 4, 1));
    const q5 = await npy('Q5.npy', clustered(3, 5, 2));
    const nan = clustered(3, 4, 2);
    nan.data[2] = Number.NaN;
    const qn = await npy('QN.npy', nan);
    const q = await npy('Q4.npy', clustered(3, 4, 2));
    const cases: [string[], RegExp][] = [
      [['--train', t, '--query', q5], /Q5\.npy has 5 features per row but .*T2\.npy has 4/],
      [['--train', t, '--query', qn], /QN\.npy: non-finite value NaN at row 0, column 2/],
      [['--train', t, '--query', q, '--k', '21'], /--k 21 is larger than the 20 rows/],
      [['--train', join(dir, 'missing.npy'), '--query', q], /missing\.npy: cannot read/],
      [['--train', t, '--query', q, '--metric', 'l1'], /unknown metric 'l1'/],
      [['--train', t], /give --train T\.npy and --query Q\.npy/],
      [['--train', t, '--query', q, '--hnsw', '--project', '4'], /--project: .*3/],
      [['--train', t, '--query', q, '--exact', '--ef', '10'], /--ef, --m and --project tune the HNSW index/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli(['nn', ...args, '--json'], { env: home });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
  });
});

const shared = optionalSharedAssets();
describe.skipIf(!shared)('golden: fixtures/metrics/nn-exact (scikit-learn brute force)', () => {
  const fx = join(shared ?? '', 'fixtures/metrics/nn-exact');
  const load = (name: string) => parseNpy(readFileSync(join(fx, name)), name);
  const matrix = (name: string) => {
    const a = load(name);
    return { rows: a.shape[0]!, cols: a.shape[1]!, data: a.data as Float32Array };
  };

  it('exact search gives the reference indices and distances, l2 and cosine', async () => {
    const expected = JSON.parse(readFileSync(join(fx, 'expected.json'), 'utf8')) as { params: { k: number }; tolerance: { l2_dist: { atol: number }; cos_dist: { atol: number } } };
    const k = expected.params.k;
    const train = matrix('real.npy');
    const query = matrix('fake.npy');
    for (const [metric, idxFile, distFile, atol] of [
      ['l2', 'knn_l2_idx.npy', 'knn_l2_dist.npy', expected.tolerance.l2_dist.atol],
      ['cosine', 'knn_cos_idx.npy', 'knn_cos_dist.npy', expected.tolerance.cos_dist.atol],
    ] as const) {
      const r = await exactNearestNeighbors(train, { metric }).search(query, k);
      const idx = load(idxFile).data;
      const dist = load(distFile).data;
      for (let i = 0; i < query.rows; i++) {
        expect([...r.indices[i]!]).toEqual([...idx.subarray(i * k, (i + 1) * k)]);
        for (let t = 0; t < k; t++) expect(Math.abs(r.distances[i]![t]! - dist[i * k + t]!)).toBeLessThanOrEqual(atol + 1e-9 * dist[i * k + t]!);
      }
    }
  });

  it('through the CLI (--exact --json)', async () => {
    const r = await runCli(['nn', '--train', join(fx, 'real.npy'), '--query', join(fx, 'fake.npy'), '--k', '10', '--exact', '--json'], { env: home });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { indices: number[][] };
    const idx = load('knn_l2_idx.npy').data;
    expect(out.indices.flat()).toEqual([...idx]);
  });
});
