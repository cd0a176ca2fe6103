import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReport, readReport, REPORT_SCHEMA, writeReport, type Report } from '../../src/io/report.js';

const sha = (c: string) => c.repeat(64);

/** A small valid report, as evaluate() makes them. */
function sampleReport(): Report {
  return {
    schema: REPORT_SCHEMA,
    created: '2025-01-02T03:04:05.678Z',
    model: { name: 'g', path: '/m/g.onnx', format: 'onnx', files: { 'g.onnx': sha('a') }, manifest: { name: 'g', latent_dim: 64 }, engine: 'onnxruntime-node 1.30.0 (cpu)' },
    dataset: { name: 'mnist', split: 'test[8000:10000]', count: 100, files: [{ id: 'datasets/mnist/x.gz', path: '/s/x.gz', sha256: sha('b') }], imagesSha256: sha('c'), labelled: true },
    recipe: {
      extractor: { id: 'mobilenet-v1-0.25', weightsSha256: sha('d'), layers: { features: 'global_average_pooling2d_1', classScores: 'reshape_2' }, preprocessing: { height: 224, width: 224 } },
      n: { generated: 100, reference: 100 },
      seeds: { sampling: 0, metrics: { kid: 2020 }, bootstrap: 0 },
      sampling: { labels: 'none', quantisation: 'uint8' },
      metrics: ['fd', 'fd_inf', 'kid'],
      params: { fd: { covDdof: 1 }, kid: { subsets: 1, subsetSize: 100 }, memorization: { train_split: 'test[0:8000]', seed: 0 } },
      bootstrap: { resamples: 200, level: 0.95, method: 're-centred', resampleReference: true, covers: 'the sampling of the generated and of the reference set' },
      reference: { split: 'test[8000:10000]', count: 100, of: 2000, seed: 0, rowsSha256: sha('e') },
      rankedBy: 'fd',
      genbench: '0.1.0',
      backend: { tfjs: 'wasm', generator: 'onnxruntime-node 1.30.0 (cpu)', extractor: 'tfjs 4.22.0 (wasm)' },
    },
    metrics: {
      fd: { value: 12.5, ci95: [11, 14], ciMethod: 're-centred', ciCovers: 'both sets', bootstrapBias: 0.4, ranks: { generated: 99, reference: 99 } },
      fd_inf: { value: 9.5, ci95: [7, 12] },
      kid: { value: 0.01, std: 0, ci95: [0.005, 0.02] },
      ct: { value: 0.3, copying: false },
    },
    timings: {
      sample: { seconds: 0.1 },
      featuresGenerated: { seconds: 5 },
      featuresReference: { seconds: 0.2, cached: true },
      metrics: { seconds: 0.3 },
      total: { seconds: 6 },
    },
    warnings: ['the covariance of the 1024 features is rank-deficient (rank 99 < 1024, n = 100)'],
    memorization: { verdict: 'memorisation: no copying detected (copy_rate 0, closer-to-train p=0.4, C_T 0.3)' },
    run: { extractor: 'mobilenet-v1-0.25' },
  };
}

describe('report schema genbench.report/v1', () => {
  it('round-trips through writeReport / readReport unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genbench-report-'));
    const path = join(dir, 'r.json');
    await writeReport(path, sampleReport());
    expect(await readReport(path)).toEqual(sampleReport());
    expect(JSON.parse(readFileSync(path, 'utf8')).schema).toBe('genbench.report/v1');
  });

  it('still reads a report without the reference subset, the ranked metric and the memorisation verdict', () => {
    const r = sampleReport();
    const { reference: _reference, rankedBy: _rankedBy, ...recipe } = r.recipe;
    const { memorization: _memorization, ...older } = { ...r, recipe: { ...recipe, bootstrap: null } };
    expect(parseReport(older, 'r.json')).toEqual(older);
  });

  it('rejects a report missing a recipe field, naming the field', () => {
    const r = sampleReport() as unknown as { recipe: Record<string, unknown> };
    delete r.recipe['seeds'];
    expect(() => parseReport(r, 'r.json')).toThrow(/r\.json: field 'recipe\.seeds'/);
    const noWeights = sampleReport() as unknown as { recipe: { extractor: Record<string, unknown> } };
    delete noWeights.recipe.extractor['weightsSha256'];
    expect(() => parseReport(noWeights, 'r.json')).toThrow(/field 'recipe\.extractor\.weightsSha256'/);
  });

  it('rejects another schema version and bad JSON with one-line INPUT errors', async () => {
    expect(() => parseReport({ ...sampleReport(), schema: 'genbench.report/v9' }, 'old.json')).toThrow(/old\.json: schema 'genbench\.report\/v9' is not supported/);
    const dir = mkdtempSync(join(tmpdir(), 'genbench-report-'));
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    await expect(readReport(join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'INPUT' });
    await expect(readReport(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses to write an invalid report', async () => {
    const bad = { ...sampleReport(), created: 'yesterday' };
    await expect(writeReport(join(tmpdir(), 'never.json'), bad)).rejects.toThrow(/does not match genbench\.report\/v1/);
  });
});
