import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SanityResult } from '../../src/harness/sanity.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';

const shared = optionalSharedAssets();
const disc = shared === undefined ? '' : `discriminator:${join(shared, 'fixtures/submissions/mnist-dcgan-disc.onnx')}`;
let home = '';
const env = () => ({ GENBENCH_ASSETS: shared, GENBENCH_HOME: home, GENBENCH_BACKEND: undefined });
const trend = (r: SanityResult, corruption: string, metric: string) => r.corruptions.find((c) => c.id === corruption)!.metrics[metric]!;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'genbench-sanity-home-'));
});

describe.skipIf(!shared)('genbench sanity', () => {
  it('shows FD rising with noise on MobileNet features (held-out MNIST vs disjoint reference)', async () => {
    const r = await runCli(['sanity', '--dataset', 'mnist', '--extractor', 'mobilenet-v1-0.25', '--n', '32', '--corruptions', 'noise', '--metrics', 'fd,kid', '--json', '--quiet'], {
      env: env(),
      timeoutMs: 90_000,
    });
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as SanityResult;
    expect(res.schema).toBe('genbench.sanity/v1');
    expect(res.dataset).toEqual({ name: 'mnist', generated: 'test[9968:10000]', reference: 'test[0:32]' });
    const fd = trend(res, 'noise', 'fd');
    expect(fd.values).toHaveLength(4);
    expect(fd.values[3]!).toBeGreaterThan(fd.values[0]!);
    expect(fd).toMatchObject({ expected: 'increase', verdict: 'detects' });
    expect(fd.spearman!).toBeGreaterThanOrEqual(0.8);
  });

  it('reports every corruption per metric, with verdicts, and a summary on stderr', async () => {
    const r = await runCli(['sanity', '--dataset', 'mnist', '--extractor', disc, '--n', '64', '--metrics', 'fd,precision,recall,coverage,disc', '--json'], { env: env() });
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as SanityResult;
    expect(res.corruptions.map((c) => c.id)).toEqual(['noise', 'blur', 'drop-classes', 'memorise', 'shrink-diversity']);
    for (const c of res.corruptions) {
      expect(c.strengths[0]).toBe(0);
      expect(Object.keys(c.metrics)).toEqual(['fd', 'precision', 'recall', 'coverage', 'disc']);
      // strength 0 is the same clean set for every corruption
      expect(c.metrics['fd']!.values[0]).toBeCloseTo(res.corruptions[0]!.metrics['fd']!.values[0]!, 9);
    }
    expect(trend(res, 'noise', 'fd')).toMatchObject({ monotonic: true, verdict: 'detects' });
    expect(trend(res, 'drop-classes', 'recall').verdict).toBe('detects');
    expect(trend(res, 'memorise', 'fd').verdict).toBe('inverted'); // FD rewards copying the reference
    expect(trend(res, 'memorise', 'fd').values[3]!).toBeLessThan(1e-6);
    expect(r.stderr).toMatch(/Gaussian noise \(noise; strength = sigma in 8-bit levels: 0, 8, 24, 64\)/);
    expect(r.stderr).toMatch(/^\s+fd\s+.*rho 1\.00 \(expect increase\)\s+detects, monotonic/m);
  });

  it('exits 2 with one line on bad input', async () => {
    for (const [args, message] of [
      [['--n', '6000'], /has 10000 images, fewer than --n 6000 \+ --reference-n 6000/],
      [['--corruptions', 'noise,melt'], /unknown corruption 'melt'; valid: noise, blur/],
      [['--metrics', 'fid'], /unknown metric 'fid'/],
    ] as const) {
      const r = await runCli(['sanity', '--dataset', 'mnist', '--extractor', disc, ...args, '--json', '--quiet'], { env: env() });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
