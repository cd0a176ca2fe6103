import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseReport, type Report } from '../../src/io/report.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';
import { withSharedFeatures } from '../helpers/feature-cache.js';

const shared = optionalSharedAssets();
const subs = shared === undefined ? '' : join(shared, 'fixtures/submissions');
const dcgan = join(subs, 'mnist-dcgan.onnx');
const disc = `discriminator:${join(subs, 'mnist-dcgan-disc.onnx')}`;
let home = '';
let out = '';
const env = () => ({ GENBENCH_ASSETS: shared, GENBENCH_HOME: home, GENBENCH_BACKEND: undefined });

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'genbench-evaluate-home-'));
  out = mkdtempSync(join(tmpdir(), 'genbench-evaluate-out-'));
});

describe.skipIf(!shared)('genbench evaluate (discriminator features, MNIST held-out rows)', () => {
  const args = ['evaluate', '--generator', dcgan, '--dataset', 'mnist', '--n', '128', '--extractor', disc, '--bootstrap', '20', '--no-memorization'];
  let first: Report;

  it('writes a valid report with the recipe and every metric, and a sample grid beside it', async () => {
    const r = await runCli([...args, '--out', join(out, 'r.json'), '--json', '--quiet'], { env: env() });
    // --quiet hides progress, never warnings
    expect(r.stderr.split('\n').filter(Boolean).every((l) => l.startsWith('warning: '))).toBe(true);
    expect(r.code).toBe(0);
    first = parseReport(JSON.parse(r.stdout), 'stdout');
    expect(parseReport(JSON.parse(readFileSync(join(out, 'r.json'), 'utf8')), 'r.json')).toEqual(first);
    expect(Object.keys(first.metrics)).toEqual(['fd', 'fd_inf', 'kid', 'precision', 'recall', 'density', 'coverage', 'disc']);
    for (const m of Object.values(first.metrics)) expect(Number.isFinite(m.value)).toBe(true);
    expect(Object.keys(first.metrics['disc']!['layers'] as object)).toEqual(['f1', 'f2', 'logit']);
    expect(first.dataset).toMatchObject({ name: 'mnist', split: 'test[8000:10000]', count: 128, labelled: true }); // held out from 0-7999
    // a seeded random subset of the held-out rows, never the first n
    expect(first.recipe.reference).toMatchObject({ split: 'test[8000:10000]', count: 128, of: 2000, seed: 0, rowsSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    for (const [id, m] of Object.entries(first.metrics)) {
      expect(m.ci95, id).toHaveLength(2);
      expect(m['ciCovers'] ?? 'disc', id).toMatch(/generated and reference sampling|disc/);
      if (id !== 'disc') expect(m['ciMonteCarloError'], id).toBeGreaterThan(0);
    }
    expect(first.recipe).toMatchObject({
      extractor: { id: 'discriminator:mnist-dcgan-disc', layers: { features: 'f2', discriminator: ['f1', 'f2', 'logit'] } },
      n: { generated: 128, reference: 128 },
      seeds: { sampling: 0, metrics: { kid: 2020 }, bootstrap: 0 },
      sampling: { labels: 'none' },
    });
    expect(first.model).toMatchObject({ name: 'mnist-dcgan', format: 'onnx', files: { 'mnist-dcgan.onnx': '7cbe291b2a9117f7bab6405dc57d248ef60a7783c1bdaf75779c9e3cf8141cc1' } });
    expect(first.timings.featuresReference.cached).toBe(false);
    expect(first.timings.referenceStats?.cached).toBe(false);
    expect(first.warnings.join('\n')).toMatch(/covariance of the \d+ features is rank-deficient \(rank \d+ < \d+, n = 128\)/);
    expect(first.warnings.join('\n')).not.toMatch(/memorisation/);
    const png = readFileSync(join(out, 'r.grid.png'));
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
  });

  it('reads the reference features from the cache on a second run and gives the same numbers', async () => {
    const r = await runCli([...args, '--json', '--quiet'], { env: env() });
    expect(r.code).toBe(0);
    const second = parseReport(JSON.parse(r.stdout), 'stdout');
    expect(second.timings.featuresReference.cached).toBe(true);
    expect(second.timings.referenceStats?.cached).toBe(true); // the reference's mean, covariance and radii: same numbers
    expect(second.metrics).toEqual(first.metrics);
    expect(second.recipe).toEqual(first.recipe);
    const human = await runCli([...args, '--no-ci', '--quiet'], { env: env() }); // the summary's layout; intervals are checked above
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/mnist-dcgan vs mnist test\[8000:10000\]: 128 generated \/ 128 reference images/);
    expect(human.stdout).toMatch(/^reference 128 of 2000 rows of test\[8000:10000\] \(seeded random subset, seed 0/m);
    expect(human.stdout).toMatch(/^\s+fd\s+\d/m);
    expect(human.stdout).toMatch(/reference [\d.]+s \(cached\)/);
    expect(human.stdout).toMatch(/reference statistics [\d.]+s, cached\)/);
  });

  it('IS with MobileNet, a conditional model sampled with the reference labels, and the memorisation verdict by default', async () => {
    const cdcgan = join(subs, 'mnist-cdcgan.onnx');
    // a home whose feature cache is shared: the MobileNet features of the 8000 training rows are extracted once per run
    const memoHome = withSharedFeatures(join(out, 'memo-home'));
    const r = await runCli(['evaluate', '--generator', cdcgan, '--dataset', 'mnist', '--n', '24', '--extractor', 'mobilenet-v1-0.25', '--bootstrap', '5', '--json', '--quiet'], { env: { ...env(), GENBENCH_HOME: memoHome }, timeoutMs: 170_000 });
    expect(r.code).toBe(0);
    const rep = parseReport(JSON.parse(r.stdout), 'stdout');
    expect(Object.keys(rep.metrics)).toEqual(['is', 'fd', 'fd_inf', 'kid', 'precision', 'recall', 'density', 'coverage', 'copy_rate', 'closer_to_train_share', 'mifid_term', 'ct']);
    expect(rep.memorization?.verdict).toMatch(/^memorisation: /);
    expect(rep.recipe.params['memorization']).toMatchObject({ train_split: 'test[0:8000]' });
    expect(rep.metrics['is']!.value!).toBeGreaterThan(1);
    for (const [id, m] of Object.entries(rep.metrics).filter(([k]) => !['copy_rate', 'closer_to_train_share', 'mifid_term', 'ct'].includes(k))) {
      expect(m.ci95, id).toHaveLength(2);
      expect(m.value!, id).toBeGreaterThanOrEqual(m.ci95![0]);
      expect(m.value!, id).toBeLessThanOrEqual(m.ci95![1]);
      expect(m['ciMethod'], id).toMatch(/^(percentile|normal)/);
    }
    expect(rep.warnings.join(' ')).not.toMatch(/outside its ci95/);
    expect(rep.recipe).toMatchObject({ sampling: { labels: 'reference' }, bootstrap: { resamples: 5, method: expect.stringMatching(/^percentile/) }, seeds: { bootstrap: 0 } });
    expect(rep.recipe.extractor.layers).toEqual({ features: 'global_average_pooling2d_1', classScores: 'reshape_2' });
  }, 180_000);
});

describe.skipIf(!shared)('genbench evaluate: bad input exits 2 with one line', () => {
  const cases: [string, string[], RegExp][] = [
    ['n below 2', ['--n', '1'], /--n: must be >= 2, got 1/],
    ['n not a number', ['--n', 'abc'], /--n: expected an integer, got 'abc'/],
    ['unknown dataset', ['--dataset', 'nope'], /unknown dataset 'nope'/],
    ['missing generator', ['--generator', '/nonexistent/g.onnx'], /\/nonexistent\/g\.onnx: no such file or folder/],
    ['unknown metric', ['--metrics', 'fd,fid'], /unknown metric 'fid'; valid metrics: is, fd/],
    ['disc without a discriminator', ['--metrics', 'disc', '--extractor', 'mobilenet-v1-0.25'], /'disc' needs a discriminator extractor/],
    ['bad split', ['--split', 'test[20000:]'], /split 'test\[20000:\]': start 20000 is outside split 'test'/],
    ['one bootstrap resample', ['--bootstrap', '1'], /--bootstrap: give 0 \(none\) or at least 2/],
  ];
  for (const [what, extra, message] of cases) {
    it(what, async () => {
      const base = { '--generator': dcgan, '--dataset': 'mnist', '--n': '16', '--extractor': disc } as Record<string, string>;
      for (let i = 0; i < extra.length; i += 2) base[extra[i]!] = extra[i + 1]!;
      const r = await runCli(['evaluate', ...Object.entries(base).flat(), '--quiet'], { env: env() });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
