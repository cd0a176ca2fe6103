import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGenerator } from '../../src/models/load.js';
import { floatToHalf } from '../../src/models/onnx-io.js';
import { halfToFloat } from '../../src/io/npy.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';
import { writeExport, type ExportVariant } from './export-fixtures.js';

/** ONNX generators as PyTorch exports them: latents [N, z, 1, 1], float16/float64 tensors, NHWC or NCHW images. */
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genbench-exports-'));
});

const base: ExportVariant = { latent: 48, channels: 3, size: 4, zShape: 'flat', dtype: 'float32', layout: 'NCHW' };

async function images(name: string, v: Partial<ExportVariant>, manifest: Record<string, unknown> = {}): Promise<Float32Array> {
  const path = join(dir, `${name}.onnx`);
  await writeExport(path, { ...base, ...v }, manifest);
  const g = await loadGenerator(path);
  try {
    const b = await g.sample({ n: 5, seed: 7 });
    expect(b).toMatchObject({ n: 5, height: 4, width: 4, channels: 3 });
    return b.data;
  } finally {
    g.dispose();
  }
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

describe('PyTorch-style ONNX exports', () => {
  let reference: Float32Array;

  it('a latent input [N, z, 1, 1] is fed as such and gives the images of the flat input', async () => {
    reference = await images('flat', {});
    expect(await images('z11', { zShape: 'nchw' })).toEqual(reference);
  });

  it('an NHWC output under a manifest that states NCHW is detected: the same images', async () => {
    expect(await images('nhwc', { layout: 'NHWC' })).toEqual(reference);
    expect(await images('nhwc-stated', { layout: 'NHWC' }, { output_layout: 'NHWC', image_shape: [4, 4, 3] })).toEqual(reference);
  });

  it('float64 and float16 inputs and outputs work (float16 to its precision)', async () => {
    expect(maxDiff(await images('f64', { zShape: 'nchw', dtype: 'float64' }), reference)).toBeLessThan(1e-6);
    const f16 = maxDiff(await images('f16', { zShape: 'nchw', dtype: 'float16' }), reference);
    expect(f16).toBeGreaterThan(0);
    expect(f16).toBeLessThan(5e-3);
  });

  it('a conditional float16 export takes its one-hot labels as float16', async () => {
    const path = join(dir, 'cond16.onnx');
    await writeExport(path, { ...base, zShape: 'nchw', dtype: 'float16', classes: 3 });
    const g = await loadGenerator(path);
    try {
      const zeros = await g.sample({ n: 4, seed: 1, labels: Int32Array.of(0, 0, 0, 0) });
      const twos = await g.sample({ n: 4, seed: 1, labels: Int32Array.of(2, 2, 2, 2) });
      expect(g.classes).toBe(3);
      expect(maxDiff(zeros.data, twos.data)).toBeGreaterThan(0.1); // the label moves the images
    } finally {
      g.dispose();
    }
  });

  it('a shape that fits neither layout, or a latent_dim the input contradicts, is one INPUT error naming both', async () => {
    await expect(images('flat-out', { layout: 'flat' })).rejects.toThrow(/outputs \[1,48\] for 1 latents; expected \[1,3,4,4\] \(NCHW\) or \[1,4,4,3\] \(NHWC\)/);
    await expect(images('bad-z', { zShape: 'nchw' }, { latent_dim: 100 })).rejects.toThrow(/field 'latent_dim' is 100 but input 'z' has 48 values per row \(shape \[N,48,1,1\]\)/);
  });

  it('floatToHalf rounds to nearest even and inverts halfToFloat', () => {
    for (const x of [0, -0, 1, -2.5, 0.1, 65504, 6.1e-5, 3e-8, 1e-9]) expect(Math.abs(halfToFloat(floatToHalf(x)) - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11 + 2 ** -25);
    expect(floatToHalf(1e6)).toBe(0x7c00);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to the even mantissa
    expect(Number.isNaN(halfToFloat(floatToHalf(NaN)))).toBe(true);
  });
});

const shared = optionalSharedAssets();
describe.skipIf(!shared)('genbench evaluate on a float16 export with latents [N, 784, 1, 1] and NHWC output', () => {
  it('exits 0 with a report', async () => {
    const path = join(dir, 'mnist-f16.onnx');
    await writeExport(path, { latent: 784, channels: 1, size: 28, zShape: 'nchw', dtype: 'float16', layout: 'NHWC' });
    const disc = `discriminator:${join(shared!, 'fixtures/submissions/mnist-dcgan-disc.onnx')}`;
    const r = await runCli(['evaluate', '--generator', path, '--dataset', 'mnist', '--split', 'test[8000:]', '--n', '32', '--extractor', disc, '--no-ci', '--json', '--quiet'], { env: { GENBENCH_ASSETS: shared, GENBENCH_HOME: join(dir, 'home') } });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { metrics: Record<string, { value: number }>; model: { format: string } };
    expect(Number.isFinite(report.metrics['fd']!.value)).toBe(true);
    expect(report.model.format).toBe('onnx');
  });
});
