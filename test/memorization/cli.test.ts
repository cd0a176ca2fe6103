import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';

const shared = optionalSharedAssets();
let home = '';
let out = '';
const env = () => ({ GENBENCH_ASSETS: shared, GENBENCH_HOME: home, GENBENCH_BACKEND: undefined });

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'genbench-memo-home-'));
  out = mkdtempSync(join(tmpdir(), 'genbench-memo-out-'));
});

describe('genbench memorization: usage errors', () => {
  it('needs exactly one mode, one line, exit 2', async () => {
    const r = await runCli(['memorization', '--json'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/features mode\) or --generator/);
    const both = await runCli(['memorization', '--train-features', 'a.npy', '--generator', 'g.onnx'], { env: env() });
    expect(both.code).toBe(2);
  });

  it('rejects --centers with --cells and a missing features file', async () => {
    const r = await runCli(['memorization', '--train-features', 'a.npy', '--heldout-features', 'b.npy', '--generated-features', 'c.npy', '--centers', 'c.npy', '--cells', '3'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--centers or --cells, not both/);
    const missing = await runCli(['memorization', '--train-features', join(out, 'nope.npy'), '--heldout-features', 'b.npy', '--generated-features', 'c.npy'], { env: env() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.npy: cannot read/);
  });
});

describe.skipIf(!shared)('genbench memorization (shared fixtures)', () => {
  it('features mode reproduces the data-copying golden C_T with the stored centres', async () => {
    const dir = join(shared!, 'fixtures/metrics/data-copying');
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { results: { copying: { C_T: number; Zu_per_cell: number[] } } };
    const r = await runCli(
      ['memorization', '--train-features', join(dir, 'train.npy'), '--heldout-features', join(dir, 'test.npy'), '--generated-features', join(dir, 'fake_copying.npy'), '--centers', join(dir, 'kmeans_centers.npy'), '--nn', 'exact', '--json'],
      { env: env() },
    );
    // a check says copying: exit 1 like the gate, the JSON still on stdout, the verdict and the reason on stderr
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^memorisation: COPYING flagged by .*ct/), 'genbench: memorisation: a check says copying in features space']);
    const j = JSON.parse(r.stdout) as Record<string, { value: number | null; copying?: boolean; per_cell?: { z: number }[] } & Record<string, unknown>>;
    expect(Object.keys(j)).toEqual(['copy_rate', 'closer_to_train_share', 'mifid_term', 'ct', 'recipe']);
    expect(Math.abs(j['ct']!.value! - expected.results.copying.C_T)).toBeLessThanOrEqual(1e-9);
    j['ct']!.per_cell!.forEach((c, i) => expect(Math.abs(c.z - expected.results.copying.Zu_per_cell[i]!)).toBeLessThanOrEqual(1e-9));
    expect(j['ct']!.copying).toBe(true);
    expect(j['recipe']).toMatchObject({ command: 'memorization', space: 'features', ct: { cells: 5, tau: 0.02 }, inputs: { train: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } } });
  });

  it('features mode: the fair generated set is not copying, exit 0, the verdict line last on stdout; --help states the exit status', async () => {
    const dir = join(shared!, 'fixtures/metrics/data-copying');
    const r = await runCli(
      ['memorization', '--train-features', join(dir, 'train.npy'), '--heldout-features', join(dir, 'test.npy'), '--generated-features', join(dir, 'fake_fair.npy'), '--centers', join(dir, 'kmeans_centers.npy'), '--nn', 'exact'],
      { env: env() },
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('features space:');
    expect(lines.at(-1)).toMatch(/^memorisation: no copying detected \(copy_rate [0-9.e-]+, closer-to-train p=[0-9.e-]+, C_T -?[0-9]+\.[0-9]\)$/);
    const help = await runCli(['memorization', '--help'], { env: env() });
    expect(help.stdout).toMatch(/Exit status: 0 when no check says copying, 1 when at least one does/);
    expect(help.stdout).toMatch(/copy_rate 0\.001 \(Fisher exact\), closer_to_train_share 0\.001 \(label permutation\)/);
  });

  it('model mode: mnist-dcgan in pixel space, JSON per space, not copying, with a neighbour panel', async () => {
    const panel = join(out, 'dcgan-panel.png');
    const r = await runCli(
      ['memorization', '--generator', join(shared!, 'fixtures/submissions/mnist-dcgan.onnx'), '--dataset', 'mnist', '--train-split', 'test[:8000]', '--heldout-split', 'test[8000:]', '--space', 'pixel', '--n', '150', '--panels', panel, '--json', '--quiet'],
      { env: env(), timeoutMs: 180_000 },
    );
    // the fixture was trained on the contiguous rows 0-7999, and MNIST's writers change along its test split: the
    // held-out rows 8000-9999 are not drawn like the training rows, which the shift warning says (even with --quiet)
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^warning: the held-out set looks shifted from the training set: .* test~0\[:8000\] and test~0\[8000:\]$/)]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { pixel: Record<string, { value: number | null; copying: boolean; warning?: string }>; recipe: Record<string, unknown>; panels: { png: string; legend: string } };
    expect(j.pixel['closer_to_train_share']!.warning).toMatch(/looks shifted/);
    expect(Object.keys(j)).toEqual(['pixel', 'recipe', 'panels']);
    expect(Object.keys(j.pixel)).toEqual(['copy_rate', 'closer_to_train_share', 'mifid_term', 'ct']);
    for (const [k, v] of Object.entries(j.pixel)) expect(v.copying, k).toBe(false);
    expect(j.recipe).toMatchObject({ model: { name: 'mnist-dcgan' }, train_split: 'test[0:8000]', n: { generated: 150 }, pixel: { seed: 0, ct: { cells: 3 } } });
    expect(existsSync(panel)).toBe(true);
    expect(existsSync(j.panels.legend)).toBe(true);
  });
});
