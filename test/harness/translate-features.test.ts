import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAIRED_TASKS } from '../../src/data/paired-tasks.js';
import { createExtractor } from '../../src/features/index.js';
import { evaluateTranslation } from '../../src/harness/translate.js';
import { minimumRows } from '../../src/harness/translate-features.js';
import { encodeNpy } from '../../src/io/npy.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';
import { writeTranslator } from './translator-fixtures.js';

/**
 * FD, KID, precision and recall of translated outputs: an identity translator on pneumonia-sr2 gives exactly what
 * `genbench metrics` gives on the features of the task's degraded sources against its targets (the outputs are the
 * sources), the targets' features come from the feature cache on a second run, and sets below a metric's minimum
 * skip it with a warning, without opening an extractor.
 */
const shared = optionalSharedAssets();
let dir: string;
const SPLIT = 'test[:40]';
const FX = 'mobilenet-v1-0.25';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genbench-translate-features-'));
  await writeTranslator(join(dir, 'id28.onnx'), { kind: 'identity', shape: [1, 28, 28], task: 'pneumonia-sr2' });
  await writeTranslator(join(dir, 'id16.onnx'), { kind: 'identity', shape: [1, 16, 16] });
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('translation feature metrics', () => {
  it('minimum rows: FD 4, KID 2, precision/recall max(k) + 1', () => {
    expect([minimumRows('fd', {}), minimumRows('kid', { subsetSize: 1000 }), minimumRows('prdc', { kPr: 3, kDc: 5 })]).toEqual([4, 2, 6]);
  });

  it('1 pair: every feature metric is skipped with a warning, and no extractor is opened', async () => {
    const { zipSync } = await import('fflate');
    const img = encodeNpy(Uint8Array.from({ length: 256 }, (_, i) => (i * 37) % 256), [1, 16, 16]);
    await writeFile(join(dir, 'one.npz'), zipSync({ 'source.npy': img, 'target.npy': img }));
    const r = await evaluateTranslation({ translator: join(dir, 'id16.onnx'), pairs: join(dir, 'one.npz'), bootstrap: 0, extractor: 'no-such-extractor' });
    expect(Object.keys(r.metrics)).toEqual(['mse', 'l1', 'psnr', 'ssim']);
    expect(r.recipe.extractor.id).toBe('none');
    expect(r.warnings).toContain('fd skipped: 1 outputs and 1 target images, but FD needs n > 3 (its interval reads FD on a half of the rows and on the other half, and each needs 2 rows for a covariance): at least 4 on each side');
    expect(r.warnings).toContainEqual(expect.stringMatching(/^kid skipped: .* at least 2 on each side$/));
    expect(r.warnings).toContainEqual(expect.stringMatching(/^precision, recall skipped: .* at least 6 on each side$/));
  });

  it.skipIf(!shared)('identity on pneumonia-sr2: FD, KID, precision and recall equal genbench metrics on the features of the degraded sources against the targets', async () => {
    const cacheDir = join(dir, 'features');
    const opts = { translator: join(dir, 'id28.onnx'), task: 'pneumonia-sr2', split: SPLIT, extractor: FX, bootstrap: 0, cacheDir };
    const r = await evaluateTranslation(opts);
    expect(r.dataset.loading?.['degradation']).toMatch(/area .* bilinear/);
    expect(r.timings.featuresReference.cached).toBe(false);
    const pairs = await PAIRED_TASKS.get('pneumonia-sr2')!.load(SPLIT);
    const fx = await createExtractor(FX);
    try {
      for (const [role, side] of [['s', pairs.source], ['t', pairs.target]] as const) {
        const f = (await fx.extract({ ...side, data: side.data as Uint8Array }))[fx.defaults.features]!;
        await writeFile(join(dir, `${role}.npy`), encodeNpy(f.data, [f.rows, f.cols]));
      }
    } finally {
      await fx.dispose();
    }
    const m = await runCli(['metrics', '--generated', 's.npy', '--reference', 't.npy', '--metrics', 'fd,kid,precision,recall', '--kid-subsets', '1', '--kid-subset-size', '40', '--no-ci', '--json'], { cwd: dir });
    expect(m.code, m.stderr).toBe(0);
    const want = JSON.parse(m.stdout) as Record<string, { value: number }>;
    for (const id of ['fd', 'kid', 'precision', 'recall']) expect(r.metrics[id]!.value, id).toBe(want[id]!.value);
    expect(r.metrics['fd']!.value!).toBeGreaterThan(0); // the degradation is visible to the features
    const again = await evaluateTranslation(opts);
    expect(again.timings.featuresReference.cached).toBe(true);
    expect(again.metrics['fd']!.value).toBe(r.metrics['fd']!.value);
  }, 60_000);
});
