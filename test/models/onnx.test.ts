import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nchwToNhwc, toUint8 } from '../../src/io/image.js';
import { readNpy } from '../../src/io/npy.js';
import { loadGenerator } from '../../src/models/load.js';
import type { Generator } from '../../src/models/types.js';
import { optionalSharedAssets, sharedAssets } from '../helpers/assets.js';

const skipWithoutAssets = optionalSharedAssets() === undefined;

/**
 * The shared ONNX generators against their PyTorch reference outputs: floats to 1e-4 after NCHW -> NHWC, and
 * uint8 samples within one level (a few boundary pixels may round differently across runtimes).
 */
const MODELS = ['mnist-dcgan', 'mnist-cdcgan', 'mnist-vae', 'pneumonia-dcgan'] as const;

describe.skipIf(skipWithoutAssets)('ONNX generators match the PyTorch references', () => {
  const dir = (): string => join(sharedAssets(), 'fixtures', 'submissions');

  for (const name of MODELS) {
    it(`${name}: reference_z -> reference_x and reference_samples`, async () => {
      const g = await loadGenerator(join(dir(), `${name}.onnx`));
      try {
        const z = await readNpy(join(dir(), `${name}.reference_z.npy`));
        const x = await readNpy(join(dir(), `${name}.reference_x.npy`));
        const s = await readNpy(join(dir(), `${name}.reference_samples.npy`));
        let labels: Int32Array | undefined;
        if (g.classes !== undefined) {
          const y = await readNpy(join(dir(), `${name}.reference_y.npy`));
          labels = argmaxRows(y.data as Float32Array, g.classes);
          expect(Array.from(labels.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
        }
        const out = await g.generate(z.data as Float32Array, labels);
        expect([out.n, out.height, out.width, out.channels]).toEqual([256, 28, 28, 1]);
        const [n, c, h, w] = x.shape as [number, number, number, number];
        const ref = nchwToNhwc(x.data as Float32Array, n, c, h, w);
        let maxErr = 0;
        for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs(out.data[i]! - ref[i]!));
        expect(maxErr).toBeLessThan(1e-4);

        const u8 = toUint8(out).data;
        let differ = 0;
        let worst = 0;
        for (let i = 0; i < u8.length; i++) {
          const d = Math.abs(u8[i]! - (s.data as Uint8Array)[i]!);
          if (d > 0) differ++;
          worst = Math.max(worst, d);
        }
        console.info(`${name}: max |dx| ${maxErr.toExponential(2)}, ${differ}/${u8.length} uint8 pixels differ by 1`);
        expect(worst).toBeLessThanOrEqual(1);
        expect(differ).toBeLessThan(u8.length / 1000);
      } finally {
        g.dispose();
      }
    });
  }

  describe('sample()', () => {
    let g: Generator;
    beforeAll(async () => {
      g = await loadGenerator(join(dir(), 'mnist-cdcgan.onnx'));
    });
    afterAll(() => g.dispose());

    it('is deterministic in the seed and independent of the batch size', async () => {
      const a = await g.sample({ n: 20, seed: 7 });
      const b = await g.sample({ n: 20, seed: 7, batchSize: 6 });
      const c = await g.sample({ n: 20, seed: 8 });
      expect(b.data).toEqual(a.data);
      expect(c.data).not.toEqual(a.data);
      expect(a.range).toEqual([-1, 1]);
    });

    it('uses labels i % classes by default and accepts explicit ones', async () => {
      const a = await g.sample({ n: 12, seed: 1 });
      const b = await g.sample({ n: 12, seed: 1, labels: Int32Array.from({ length: 12 }, (_, i) => i % 10) });
      const c = await g.sample({ n: 12, seed: 1, labels: new Int32Array(12).fill(3) });
      expect(b.data).toEqual(a.data);
      expect(c.data).not.toEqual(a.data);
    });

    it('rejects bad labels', async () => {
      await expect(g.sample({ n: 2, seed: 0, labels: Int32Array.of(0, 10) })).rejects.toMatchObject({ code: 'USAGE' });
      await expect(g.sample({ n: 2, seed: 0, labels: Int32Array.of(0) })).rejects.toMatchObject({ code: 'USAGE' });
    });
  });

  it('an unconditional model refuses labels', async () => {
    const g = await loadGenerator(join(dir(), 'mnist-vae.onnx'));
    try {
      expect(g.classes).toBeUndefined();
      expect(g.range).toEqual([0, 1]);
      await expect(g.sample({ n: 2, seed: 0, labels: Int32Array.of(0, 1) })).rejects.toMatchObject({ code: 'USAGE' });
    } finally {
      g.dispose();
    }
  });

  it('refuses a discriminator manifest as a generator', async () => {
    await expect(loadGenerator(join(dir(), 'mnist-dcgan-disc.onnx'))).rejects.toMatchObject({
      code: 'INPUT',
      message: expect.stringMatching(/mnist-dcgan-disc\.genbench\.json: role is 'discriminator-features'/),
    });
  });
});

function argmaxRows(y: Float32Array, k: number): Int32Array {
  const n = y.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (y[i * k + j]! > y[i * k + best]!) best = j;
    out[i] = best;
  }
  return out;
}
