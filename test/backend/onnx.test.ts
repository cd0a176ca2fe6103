import { afterEach, describe, expect, it } from 'vitest';
import { onnxProviders, openOnnxSession } from '../../src/backend/onnx.js';
import { GenbenchError } from '../../src/errors.js';

describe('ONNX Runtime sessions', () => {
  const saved = process.env['GENBENCH_ORT_PROVIDERS'];
  afterEach(() => {
    if (saved === undefined) delete process.env['GENBENCH_ORT_PROVIDERS'];
    else process.env['GENBENCH_ORT_PROVIDERS'] = saved;
  });

  it('uses CPU here (no CUDA provider library is installed) and ends with cpu', () => {
    delete process.env['GENBENCH_ORT_PROVIDERS'];
    const p = onnxProviders();
    expect(p[p.length - 1]).toBe('cpu');
  });

  it('takes GENBENCH_ORT_PROVIDERS and rejects unknown providers with a USAGE error', () => {
    process.env['GENBENCH_ORT_PROVIDERS'] = ' CUDA , cpu';
    expect(onnxProviders()).toEqual(['cuda', 'cpu']);
    process.env['GENBENCH_ORT_PROVIDERS'] = 'cpu,tpu';
    expect(() => onnxProviders()).toThrow(GenbenchError);
    expect(() => onnxProviders()).toThrow(/unknown provider 'tpu'/);
  });

  it('reports a file that is not an ONNX model as one INPUT error naming it', async () => {
    await expect(openOnnxSession(new TextEncoder().encode('not a model'), 'junk.onnx')).rejects.toMatchObject({ code: 'INPUT', message: expect.stringMatching(/^junk\.onnx: onnxruntime cannot load this model/) });
  });
});
