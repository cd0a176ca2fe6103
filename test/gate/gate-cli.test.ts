import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReport, writeReport } from '../../src/io/report.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';
import { withSharedFeatures } from '../helpers/feature-cache.js';
import { noisyGenerator } from './noisy-generator.js';

/**
 * End to end: real evaluations of the shared MNIST DCGAN (small n, mobilenet 0.25, bootstrap intervals) gated
 * through the CLI. Same model with another seed passes; the model with added pixel noise fails with exit 1, an
 * ::error annotation and a Markdown table; the clean model passes as a candidate against the noisy baseline.
 */
const shared = optionalSharedAssets();
const dcgan = shared === undefined ? '' : join(shared, 'fixtures/submissions/mnist-dcgan.onnx');
const RECIPE = { dataset: 'mnist', split: 'test[8000:]', n: 200, bootstrap: 30, extractor: 'mobilenet-v1-0.25' } as const;
const recipeArgs = ['--dataset', RECIPE.dataset, '--split', RECIPE.split, '--n', String(RECIPE.n), '--bootstrap', String(RECIPE.bootstrap), '--extractor', RECIPE.extractor];
let home = '';
let dir = '';
const env = () => ({ GENBENCH_ASSETS: shared, GENBENCH_HOME: home, GENBENCH_BACKEND: undefined, GITHUB_ACTIONS: undefined });

beforeAll(() => {
  home = withSharedFeatures(mkdtempSync(join(tmpdir(), 'genbench-gate-home-')));
  dir = mkdtempSync(join(tmpdir(), 'genbench-gate-'));
});

afterAll(() => {
  for (const d of [home, dir]) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!shared)('genbench gate on real reports (MNIST DCGAN, n = 200)', () => {
  it('evaluate --baseline: the same model with another seed passes the gate in one step', async () => {
    const base = await runCli(['evaluate', '--generator', dcgan, ...recipeArgs, '--seed', '0', '--out', join(dir, 'base.json'), '--quiet'], { env: env() });
    const onlyWarnings = (stderr: string) => stderr.split('\n').filter(Boolean).every((l) => l.startsWith('warning: '));
    expect(onlyWarnings(base.stderr), base.stderr).toBe(true); // --quiet hides progress, never warnings
    expect(base.code).toBe(0);
    const again = await runCli(['evaluate', '--generator', dcgan, ...recipeArgs, '--seed', '1', '--out', join(dir, 'seed1.json'), '--quiet', '--baseline', join(dir, 'base.json')], { env: env() });
    expect(onlyWarnings(again.stderr), again.stderr).toBe(true);
    expect(again.stdout).toMatch(/^gate: passed, no regression$/m);
    expect(again.stdout).not.toMatch(/^\w+\s+(lower|higher)\s.*\sregression$/m);
    expect(again.code).toBe(0);
  }, 120_000);

  it('fails a generator with added noise: exit 1, an ::error annotation and the Markdown table', async () => {
    process.env['GENBENCH_HOME'] = home;
    const { evaluate } = await import('../../src/harness/evaluate.js');
    const { loadGenerator } = await import('../../src/models/load.js');
    const g = noisyGenerator(await loadGenerator(dcgan), 0.5, 7);
    try {
      await writeReport(join(dir, 'noisy.json'), await evaluate({ ...RECIPE, generator: g, seed: 2 }));
    } finally {
      g.dispose();
    }
    const md = join(dir, 'gate.md');
    const r = await runCli(['gate', '--baseline', join(dir, 'base.json'), '--candidate', join(dir, 'noisy.json'), '--markdown', md], { env: { ...env(), GITHUB_ACTIONS: 'true' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^genbench: gate failed: .*fd.* regressed beyond tolerance \(baseline mnist-dcgan, candidate mnist-dcgan\+noise\)\n$/);
    expect(r.stdout).toMatch(/^gate: FAILED, regression in .*fd/m);
    expect(r.stdout).toMatch(/^::error title=genbench gate%3A fd regressed::fd \S+ -> \S+: \+/m);
    const text = readFileSync(md, 'utf8');
    expect(text).toMatch(/^### genbench gate: ❌ regression in .*fd/);
    expect(text).toMatch(/^\| `fd` \| lower \| .* \| ❌ regression \|$/m);
  }, 120_000);

  it('passes a better model: the clean generator against the noisy baseline, as JSON', async () => {
    const r = await runCli(['gate', '--baseline', join(dir, 'noisy.json'), '--candidate', join(dir, 'seed1.json'), '--json'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { failed: boolean; rows: { metric: string; verdict: string }[] };
    expect(result.failed).toBe(false);
    expect(result.rows.find((x) => x.metric === 'fd')?.verdict).toBe('improvement');
  });

  it('refuses reports with different sample counts: exit 2, one line naming the field', async () => {
    const other = await readReport(join(dir, 'seed1.json'));
    other.recipe.n.generated = 1000;
    writeFileSync(join(dir, 'n1000.json'), JSON.stringify(other));
    const r = await runCli(['gate', '--baseline', join(dir, 'base.json'), '--candidate', join(dir, 'n1000.json')], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^genbench: reports are not comparable: recipe\.n\.generated differs \(baseline 200, candidate 1000\); [^\n]*\n$/);
  });
});
