import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseReport } from '../../src/io/report.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';

/** `genbench evaluate --reference-stats`: a `genbench stats` file as the reference gives the FD the rows give. */
const shared = optionalSharedAssets();
const dcgan = shared === undefined ? '' : join(shared, 'fixtures/submissions/mnist-dcgan.onnx');
let home = '';
let dir = '';
const env = () => ({ GENBENCH_ASSETS: shared, GENBENCH_HOME: home, GENBENCH_BACKEND: undefined });
const common = ['--n', '120', '--extractor', 'mobilenet-v1-0.25', '--bootstrap', '40', '--quiet', '--json'];

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'genbench-evaluate-stats-home-'));
  dir = mkdtempSync(join(tmpdir(), 'genbench-evaluate-stats-'));
});

describe.skipIf(!shared)('evaluate against a statistics file', () => {
  it('gives the FD and IS of the same rows, FD with an interval over the generated sampling only, and says so', async () => {
    const stats = join(dir, 'ref.npz');
    const s = await runCli(['stats', '--dataset', 'mnist', '--split', 'test[8000:8300]', '--extractor', 'mobilenet-v1-0.25', '--out', stats, '--quiet'], { env: env() });
    expect(s.code, s.stderr).toBe(0);
    const [a, b] = await Promise.all([
      runCli(['evaluate', '--generator', dcgan, '--reference-stats', stats, ...common], { env: env() }),
      runCli(['evaluate', '--generator', dcgan, '--dataset', 'mnist', '--split', 'test[8000:8300]', '--reference-n', '300', '--metrics', 'fd,is', '--no-memorization', ...common], { env: env() }),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const fromStats = parseReport(JSON.parse(a.stdout), 'stats run');
    const fromRows = parseReport(JSON.parse(b.stdout), 'rows run');
    expect(Object.keys(fromStats.metrics).sort()).toEqual(['fd', 'is']);
    expect(Math.abs(fromStats.metrics['fd']!.value! - fromRows.metrics['fd']!.value!)).toBeLessThan(1e-7 * fromRows.metrics['fd']!.value!);
    expect(fromStats.metrics['is']!.value).toBe(fromRows.metrics['is']!.value);
    const fd = fromStats.metrics['fd']!;
    expect(fd.ci95![0]).toBeLessThan(fd.value!);
    expect(fd.ci95![1]).toBeGreaterThan(fd.value!);
    expect(fd['ciCovers']).toBe('generated sampling (reference held fixed)');
    expect(fromStats.recipe.referenceStats?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fromStats.recipe.reference).toMatchObject({ split: 'test[8000:8300]', count: 300 });
    expect(fromStats.recipe.bootstrap).toMatchObject({ resampleReference: false });
    expect(fromStats.dataset).toMatchObject({ name: 'mnist', split: 'test[8000:8300]', count: 300, imagesSha256: fromRows.dataset.imagesSha256 });
    expect(fromStats.warnings[0]).toMatch(/^the reference is a statistics file/);

    const kid = await runCli(['evaluate', '--generator', dcgan, '--reference-stats', stats, '--metrics', 'fd,kid', ...common], { env: env() });
    expect([kid.code, kid.stderr.trim()]).toEqual([2, expect.stringMatching(/^genbench: --metrics kid: needs the reference rows, which .*ref\.npz does not hold; only fd and is/)]);
    const other = await runCli(['evaluate', '--generator', dcgan, '--reference-stats', stats, ...common, '--extractor', 'mobilenet-v1-0.75'], { env: env() });
    expect([other.code, other.stderr.trim()]).toEqual([2, expect.stringMatching(/ref\.npz: made with mobilenet-v1-0\.25 layer .*, but this evaluation reads mobilenet-v1-0\.75/)]);
    const split = await runCli(['evaluate', '--generator', dcgan, '--reference-stats', stats, '--split', 'test', ...common], { env: env() });
    expect([split.code, split.stderr.trim()]).toEqual([2, 'genbench: --split: not with --reference-stats (the statistics file is the whole reference)']);
  }, 180_000);
});
