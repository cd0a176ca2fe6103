import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitRowIndices } from '../../src/data/split-spec.js';
import type { SanityResult } from '../../src/harness/sanity.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';

const shared = optionalSharedAssets();
const disc = shared === undefined ? '' : `discriminator:${join(shared, 'fixtures/submissions/mnist-dcgan-disc.onnx')}`;
let home = '';
const env = () => ({ GENBENCH_ASSETS: shared, GENBENCH_HOME: home, GENBENCH_BACKEND: undefined });
const trend = (r: SanityResult, corruption: string, metric: string) => r.corruptions.find((c) => c.id === corruption)!.metrics[metric]!;
const verdicts = (r: SanityResult) => Object.fromEntries(r.corruptions.flatMap((c) => Object.entries(c.metrics).map(([m, t]) => [`${c.id}/${m}`, t.verdict])));

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'genbench-sanity-home-'));
});

describe.skipIf(!shared)('genbench sanity', () => {
  it('shows FD rising with noise on MobileNet features, on every run seed, with disjoint random row sets', async () => {
    const r = await runCli(['sanity', '--dataset', 'mnist', '--extractor', 'mobilenet-v1-0.25', '--n', '32', '--corruptions', 'noise', '--metrics', 'fd,kid', '--json', '--quiet'], {
      env: env(),
      timeoutMs: 90_000,
    });
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as SanityResult;
    expect(res.schema).toBe('genbench.sanity/v2');
    expect(res.dataset.split).toBe('test');
    expect(res.dataset.runs).toHaveLength(5);
    expect(res.recipe.seeds).toEqual(res.dataset.runs.map((x) => x.seed));
    const [first] = res.dataset.runs;
    expect(first).toEqual({ seed: first!.seed, reference: `test~${first!.seed}[0:32]`, generated: `test~${first!.seed}[32:64]` }); // no training rows without memorise
    const fd = trend(res, 'noise', 'fd');
    expect(fd.perSeed).toHaveLength(5);
    for (const v of fd.perSeed) expect(v[3]!).toBeGreaterThan(v[0]!);
    expect(fd).toMatchObject({ expected: 'increase', verdict: 'detects' });
    expect(fd.spearman.ci95![0]).toBeGreaterThan(0);
  });

  it('gives the same verdicts for --seed 1 and --seed 2; memorise copies training rows, not the reference; IS from ImageNet classes is uninformative', async () => {
    const args = ['sanity', '--dataset', 'mnist', '--extractor', 'mobilenet-v1-0.25', '--n', '128', '--metrics', 'is,fd,kid,precision,recall,density,coverage', '--json'];
    const runs: SanityResult[] = [];
    const stderr: string[] = [];
    for (const seed of ['1', '2']) {
      const r = await runCli([...args, '--seed', seed], { env: env(), timeoutMs: 150_000 });
      expect(r.code).toBe(0);
      runs.push(JSON.parse(r.stdout) as SanityResult);
      stderr.push(r.stderr);
    }
    const [a, b] = runs as [SanityResult, SanityResult];
    expect(a.recipe.seeds.some((s) => b.recipe.seeds.includes(s))).toBe(false);
    expect(verdicts(a)).toEqual(verdicts(b));
    // not a table of "no signal": the clear trends are found, the null ones are not called
    for (const r of runs) {
      for (const m of ['fd', 'kid', 'recall', 'coverage']) expect(trend(r, 'noise', m).verdict).toBe('detects');
      for (const m of ['fd', 'recall', 'coverage']) expect(trend(r, 'drop-classes', m).verdict).toBe('detects');
      for (const m of ['fd', 'kid', 'precision', 'recall', 'density', 'coverage']) expect(trend(r, 'memorise', m).verdict).toBe('no signal');
      expect(r.recipe.trend).toMatchObject({ level: 0.95, verdicts: 30 }); // 5 corruptions x 6 metrics; is has no verdict
    }
    // three disjoint row sets per run seed; FD of training copies stays near the clean FD (copies of the reference would give 0)
    for (const run of a.dataset.runs) {
      const sets = [run.reference, run.generated, run.training!].map((e) => splitRowIndices(e, 10000));
      expect(sets.map((s) => s.length)).toEqual([128, 128, 128]);
      expect(new Set(sets.flatMap((s) => [...s])).size).toBe(384);
    }
    const memFd = trend(a, 'memorise', 'fd');
    for (const v of memFd.perSeed) expect(v[3]!).toBeGreaterThan(0.5 * v[0]!);
    for (const c of a.corruptions) expect(c.metrics['is']).toMatchObject({ verdict: 'uninformative', uninformative: expect.stringMatching(/1000 ImageNet classes; on grayscale mnist \(10 classes\)/) });
    expect(a.notes['is']).toMatch(/ImageNet classes/);
    expect(stderr[0]).toMatch(/^note: is is uninformative here: IS reads mobilenet-v1-0\.25's 1000 ImageNet classes/m);
    expect(stderr[0]).toMatch(/^\s+fd\s+.*rho 1\.00 \[1\.00, 1\.00\] \(expect increase\)\s+detects, monotonic/m);
  }, 300_000);

  it('reports every corruption per metric on discriminator features, with verdicts, and a summary on stderr', async () => {
    const r = await runCli(['sanity', '--dataset', 'mnist', '--extractor', disc, '--n', '64', '--metrics', 'fd,precision,recall,coverage,disc', '--json'], { env: env(), timeoutMs: 150_000 });
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as SanityResult;
    expect(res.corruptions.map((c) => c.id)).toEqual(['noise', 'blur', 'drop-classes', 'memorise', 'shrink-diversity']);
    for (const c of res.corruptions) {
      expect(c.strengths[0]).toBe(0);
      expect(Object.keys(c.metrics)).toEqual(['fd', 'precision', 'recall', 'coverage', 'disc']);
      // strength 0 is the same clean set for every corruption, on every run seed
      c.metrics['fd']!.perSeed.forEach((v, i) => expect(v[0]).toBeCloseTo(res.corruptions[0]!.metrics['fd']!.perSeed[i]![0]!, 9));
    }
    expect(res.notes).toEqual({});
    expect(trend(res, 'noise', 'disc')).toMatchObject({ monotonic: true, verdict: 'detects' });
    expect(trend(res, 'drop-classes', 'recall').verdict).toBe('detects');
    expect(trend(res, 'memorise', 'fd').verdict).toBe('no signal');
    expect(r.stderr).toMatch(/Gaussian noise \(noise; strength = sigma in 8-bit levels: 0, 8, 24, 64\)/);
    expect(r.stderr).toMatch(/^sanity: mnist test, 5 run seeds x \(64 held-out vs 64 reference, 64 training\), discriminator:mnist-dcgan-disc$/m);
  }, 180_000);

  it('exits 2 with one line on bad input', async () => {
    for (const [args, message] of [
      [['--split', 'test', '--n', '4000'], /split 'test' has 10000 images, fewer than --reference-n 4000 \+ 2 x --n 4000 \(reference, generated and training rows\)/],
      [['--corruptions', 'noise,melt'], /unknown corruption 'melt'; valid: noise, blur/],
      [['--metrics', 'fid'], /unknown metric 'fid'/],
      [['--seeds', '1'], /--seeds/],
      [['--split', 'test[:5000]'], /--split 'test\[:5000\]': give a split name such as test/],
    ] as const) {
      const r = await runCli(['sanity', '--dataset', 'mnist', '--extractor', disc, ...args, '--json', '--quiet'], { env: env() });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
