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
    dataset: { name: 'mnist', split: 'test[8000:8100]', count: 100, files: [{ id: 'datasets/mnist/x.gz', path: '/s/x.gz', sha256: sha('b') }], imagesSha256: sha('c'), labelled: true },
    recipe: {
      extractor: { id: 'mobilenet-v1-0.25', weightsSha256: sha('d'), layers: { features: 'global_average_pooling2d_1', classScores: 'reshape_2' }, preprocessing: { height: 224, width: 224 } },
      n: { generated: 100, reference: 100 },
      seeds: { sampling: 0, metrics: { kid: 2020 }, bootstrap: null },
      sampling: { labels: 'none', quantisation: 'uint8' },
      metrics: ['fd', 'kid'],
      params: { fd: { covDdof: 1 }, kid: { subsets: 1, subsetSize: 100 } },
      bootstrap: null,
      genbench: '0.1.0',
      backend: { tfjs: 'wasm', generator: 'onnxruntime-node 1.30.0 (cpu)', extractor: 'tfjs 4.22.0 (wasm)' },
    },
    metrics: { fd: { value: 12.5, ranks: { generated: 99, reference: 99 } }, kid: { value: 0.01, std: 0, ci95: [0.005, 0.02] } },
    timings: {
      sample: { seconds: 0.1 },
      featuresGenerated: { seconds: 5 },
      featuresReference: { seconds: 0.2, cached: true },
      metrics: { seconds: 0.3 },
      total: { seconds: 6 },
    },
    warnings: ['n = 100 is below 2048'],
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
