import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseNpy } from '../../src/io/npy.js';
import { parseReport, type Report } from '../../src/io/report.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';

/**
 * `genbench features` writes the matrices `evaluate` scores: `genbench metrics` on them gives the report's numbers.
 */
const shared = optionalSharedAssets();
const subs = shared === undefined ? '' : join(shared, 'fixtures/submissions');
const dcgan = join(subs, 'mnist-dcgan.onnx');
const disc = `discriminator:${join(subs, 'mnist-dcgan-disc.onnx')}`;
let home = '';
let dir = '';
const env = () => ({ GENBENCH_ASSETS: shared, GENBENCH_HOME: home, GENBENCH_BACKEND: undefined });
const split = 'test[8000:]';

async function ok(args: readonly string[]): Promise<string> {
  const r = await runCli([...args, '--quiet'], { env: env() });
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'genbench-features-home-'));
  dir = mkdtempSync(join(tmpdir(), 'genbench-features-'));
});

describe.skipIf(!shared)('genbench features, then genbench metrics', () => {
  let report: Report;

  it('extracts the generated and the reference features that evaluate scores', async () => {
    await ok(['sample', '--generator', dcgan, '--n', '64', '--seed', '3', '--out', join(dir, 's.npy')]);
    report = parseReport(JSON.parse(await ok(['evaluate', '--generated', join(dir, 's.npy'), '--dataset', 'mnist', '--split', split, '--seed', '3', '--extractor', disc, '--no-ci', '--json'])), 'stdout');
    const g = JSON.parse(await ok(['features', '--input', join(dir, 's.npy'), '--extractor', disc, '--out', join(dir, 'g.npy'), '--json']));
    expect(g).toMatchObject({ shape: [64, 6272], dtype: 'float64', layer: 'f2', extractor: { id: 'discriminator:mnist-dcgan-disc', weightsSha256: report.recipe.extractor.weightsSha256 }, images: { rows: 64 } });
    const r = JSON.parse(await ok(['features', '--dataset', 'mnist', '--split', split, '--n', '64', '--seed', '3', '--extractor', disc, '--out', join(dir, 'r.npy'), '--json']));
    // the same reference rows as the report's (seeded random subset, same seed), read from the feature cache evaluate filled
    expect(r.images).toMatchObject({ source: 'mnist', split: 'test[8000:10000]', rows: 64, seed: 3, rowsSha256: report.recipe.reference!.rowsSha256, sha256: report.dataset.imagesSha256 });
    expect(r.cached).toBe(true);
    const a = parseNpy(readFileSync(join(dir, 'r.npy')), 'r.npy');
    expect(a).toMatchObject({ dtype: 'float64', shape: [64, 6272] });
  });

  it('genbench metrics on the two files gives the numbers evaluate reported', async () => {
    // evaluate lowers KID's subset size to the smaller set (and uses one subset when that is the whole set)
    const out = JSON.parse(await ok(['metrics', '--generated', join(dir, 'g.npy'), '--reference', join(dir, 'r.npy'), '--no-ci', '--kid-subset-size', '64', '--kid-subsets', '1', '--json']));
    for (const id of ['fd', 'fd_inf', 'kid', 'precision', 'recall', 'density', 'coverage']) {
      const want = report.metrics[id]!.value!;
      expect(Math.abs(out[id].value - want), `${id}: metrics ${out[id].value}, evaluate ${want}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
    }
  });

  it('--layer picks another output; an unknown layer is a usage error that lists the valid ones', async () => {
    const f1 = JSON.parse(await ok(['features', '--input', join(dir, 's.npy'), '--n', '10', '--extractor', disc, '--layer', 'f1', '--out', join(dir, 'f1.npy'), '--json']));
    expect(f1).toMatchObject({ layer: 'f1', images: { rows: 10 } });
    expect(f1.shape[1]).not.toBe(6272);
    const bad = await runCli(['features', '--input', join(dir, 's.npy'), '--extractor', disc, '--layer', 'nope', '--out', join(dir, 'x.npy')], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^genbench: extractor '.*' has no layer 'nope'; its layers are f1, f2, logit$/);
  });
});

describe.skipIf(!shared)('genbench stats, then genbench metrics --reference S.npz --metrics fd', () => {
  const m = 'mobilenet-v1-0.25';
  let made: { k?: number[]; featuresSha256?: string } = {};

  it('FD from the statistics file equals the FD evaluate reports on the same rows', async () => {
    await ok(['sample', '--generator', dcgan, '--n', '64', '--seed', '3', '--out', join(dir, 'm.npy')]);
    const report = parseReport(JSON.parse(await ok(['evaluate', '--generated', join(dir, 'm.npy'), '--dataset', 'mnist', '--split', split, '--seed', '3', '--extractor', m, '--metrics', 'fd', '--no-ci', '--json'])), 'stdout');
    const s = JSON.parse(await ok(['stats', '--dataset', 'mnist', '--split', split, '--n', '64', '--seed', '3', '--extractor', m, '--out', join(dir, 'r.npz'), '--json']));
    made = s;
    expect(s).toMatchObject({ count: 64, dim: 256, layer: 'global_average_pooling2d_1', images: { rowsSha256: report.recipe.reference!.rowsSha256 } });
    await ok(['features', '--input', join(dir, 'm.npy'), '--extractor', m, '--out', join(dir, 'gm.npy')]);
    const out = JSON.parse(await ok(['metrics', '--generated', join(dir, 'gm.npy'), '--reference', join(dir, 'r.npz'), '--metrics', 'fd', '--json']));
    const want = report.metrics['fd']!.value!;
    expect(Math.abs(out.fd.value - want) / want).toBeLessThan(1e-9);
    expect(out.recipe).toMatchObject({ metrics: ['fd'], bootstrap: null, inputs: { reference: { kind: 'statistics', count: 64, dim: 256 } } });
    // statistics on both sides
    await ok(['stats', '--input', join(dir, 'm.npy'), '--extractor', m, '--out', join(dir, 'g.npz')]);
    const both = JSON.parse(await ok(['metrics', '--generated', join(dir, 'g.npz'), '--reference', join(dir, 'r.npz'), '--json']));
    expect(Math.abs(both.fd.value - want) / want).toBeLessThan(1e-9);
  });

  it('--reference-stats: the stored mean, covariance and radii give the numbers the rows give; other rows are refused', async () => {
    const s = made;
    expect(s.k).toEqual([3, 5]);
    await ok(['features', '--dataset', 'mnist', '--split', split, '--n', '64', '--seed', '3', '--extractor', m, '--out', join(dir, 'rm.npy')]);
    const base = ['metrics', '--generated', join(dir, 'gm.npy'), '--reference', join(dir, 'rm.npy'), '--metrics', 'fd,fd_inf,precision,recall,density,coverage', '--bootstrap', '10', '--json'];
    const plain = JSON.parse(await ok(base));
    const stored = JSON.parse(await ok([...base, '--reference-stats', join(dir, 'r.npz')]));
    expect(stored.recipe.inputs.referenceStats).toMatchObject({ kind: 'statistics', featuresSha256: s.featuresSha256, radiiK: [3, 5] });
    const { recipe: _a, ...want } = plain;
    const { recipe: _b, ...got } = stored;
    expect(got).toEqual(want); // values and intervals alike
    const other = await runCli(['metrics', '--generated', join(dir, 'gm.npy'), '--reference', join(dir, 'gm.npy'), '--reference-stats', join(dir, 'r.npz')], { env: env() });
    expect(other.code).toBe(2);
    expect(other.stderr.trim()).toMatch(/^genbench: .*gm\.npy: its 64 x 256 feature rows \(sha256 [0-9a-f]{12}\.\.\.\) are not the rows .*r\.npz was made from/);
  });

  it('refuses other metrics, features of another width, and statistics of other features (exit 2, one line)', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--generated', join(dir, 'gm.npy'), '--reference', join(dir, 'r.npz'), '--metrics', 'fd,kid'], /a statistics file \(\.npz\) gives FD only; pass --metrics fd/],
      [['--generated', join(dir, 'g.npy'), '--reference', join(dir, 'r.npz')], /g\.npy has 6272 features per sample but .*r\.npz has 256/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['metrics', ...args], { env: env() });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
