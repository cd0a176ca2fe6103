import { parseReport, type Report } from '../../src/io/report.js';

const HASH = 'a'.repeat(64);

/** Metric values with ci95 half-widths, by id: [value, half-width] (half-width 0: no ci95). */
export type Values = Record<string, readonly [number, number]>;

/**
 * A valid synthetic genbench.report/v1 for gate tests: the recipe of a small MNIST run with bootstrap, the given
 * metric values and symmetric ci95s, and `patch` applied to the result (deep fields through a function).
 */
export function syntheticReport(values: Values, opts: { model?: string; seed?: number; patch?: (r: Report) => void } = {}): Report {
  const metrics: Report['metrics'] = {};
  for (const [id, [v, h]] of Object.entries(values)) metrics[id] = h > 0 ? { value: v, ci95: [v - h, v + h] } : { value: v };
  const r = parseReport(
    {
      schema: 'genbench.report/v1',
      created: '2026-01-01T00:00:00.000Z',
      model: { name: opts.model ?? 'm', path: '/m.onnx', format: 'onnx', files: { 'm.onnx': HASH }, manifest: {}, engine: 'onnxruntime-node' },
      dataset: { name: 'mnist', split: 'test[8000:8200]', count: 200, files: [], imagesSha256: HASH, labelled: true },
      recipe: {
        extractor: { id: 'mobilenet-v1-0.25', weightsSha256: HASH, layers: { features: 'gap', classScores: 'reshape_2' }, preprocessing: { height: 224, filter: 'bilinear' } },
        n: { generated: 200, reference: 200 },
        seeds: { sampling: opts.seed ?? 0, metrics: {}, bootstrap: opts.seed ?? 0 },
        sampling: { labels: 'none', quantisation: 'uint8' },
        metrics: Object.keys(values),
        params: { fd: { covDdof: 1 } },
        bootstrap: { resamples: 50, level: 0.95, method: 'percentile', resampleReference: true },
        genbench: '0.1.0',
        backend: { tfjs: null, generator: 'ort', extractor: 'ort' },
      },
      metrics,
      timings: { sample: { seconds: 0 }, featuresGenerated: { seconds: 0 }, featuresReference: { seconds: 0, cached: true }, metrics: { seconds: 0 }, total: { seconds: 0 } },
      warnings: [],
      run: { extractor: 'mobilenet-v1-0.25' },
    },
    'synthetic',
  );
  opts.patch?.(r);
  return r;
}
