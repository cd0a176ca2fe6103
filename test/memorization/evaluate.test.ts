import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReport } from '../../src/io/report.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';

const shared = optionalSharedAssets();

describe.skipIf(!shared)('genbench evaluate --train-split adds the memorisation checks to the report', () => {
  it('reports copy_rate, closer_to_train_share, mifid_term and ct (feature space) with their parameters in the recipe', async () => {
    const subs = join(shared!, 'fixtures/submissions');
    const home = mkdtempSync(join(tmpdir(), 'genbench-memo-eval-'));
    const r = await runCli(
      ['evaluate', '--generator', join(subs, 'mnist-dcgan.onnx'), '--dataset', 'mnist', '--n', '128', '--extractor', `discriminator:${join(subs, 'mnist-dcgan-disc.onnx')}`, '--metrics', 'fd', '--train-split', 'test[:2000]', '--json', '--quiet'],
      { env: { GENBENCH_ASSETS: shared, GENBENCH_HOME: home, GENBENCH_BACKEND: undefined }, timeoutMs: 180_000 },
    );
    expect(r.code).toBe(0);
    const rep = parseReport(JSON.parse(r.stdout), 'stdout');
    // --quiet hides progress only: the report's warnings (here FD's rank-deficient covariance, 128 < 6272) and nothing else
    expect(rep.warnings.some((w) => w.startsWith('the covariance of the 6272 features is rank-deficient'))).toBe(true);
    expect(r.stderr).toBe(rep.warnings.map((w) => `warning: ${w}\n`).join(''));
    expect(rep.memorization?.verdict).toMatch(/^memorisation: no copying detected \(copy_rate /);
    expect(Object.keys(rep.metrics)).toEqual(['fd', 'copy_rate', 'closer_to_train_share', 'mifid_term', 'ct']);
    for (const id of ['copy_rate', 'closer_to_train_share', 'mifid_term', 'ct']) {
      expect(Number.isFinite(rep.metrics[id]!.value), id).toBe(true);
      expect(rep.metrics[id]!['copying'], id).toBe(false);
    }
    expect(rep.metrics['ct']!['per_cell']).toHaveLength(2);
    expect(rep.metrics['closer_to_train_share']).toMatchObject({ alpha: 0.001, permutations: 4999 });
    expect(rep.metrics['closer_to_train_share']!['p_value']).toBeGreaterThan(0.001);
    expect(rep.metrics['copy_rate']).toMatchObject({ alpha: 0.001 });
    expect(rep.recipe.params['memorization']).toMatchObject({ train_split: 'test[0:2000]', train_count: 2000, space: 'features (f2)', ct_cells: 2, seed: 0, copy_alpha: 0.001, closer_alpha: 0.001, closer_permutations: 4999 });
  });
});
