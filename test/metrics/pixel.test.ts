import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pixelMetrics } from '../../metrics/pixel.js';
import { ssimPair } from '../../metrics/ssim.js';
import type { ImageStack } from '../../metrics/types.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { loadExpected, loadMatrix } from './load.js';

const shared = optionalSharedAssets();

function stack(dir: string, file: string, h: number, w: number, c: number, scale = 1): ImageStack {
  const m = loadMatrix(dir, file);
  return { n: m.rows, height: h, width: w, channels: c, data: m.data.map((v) => v * scale) };
}

describe.skipIf(!shared)('pixel metrics golden (scikit-image 0.19.3)', () => {
  const dir = join(shared ?? '', 'fixtures/metrics/pixel');
  for (const [name, h, w, c] of [['28x28x1', 28, 28, 1], ['64x64x3', 64, 64, 3]] as const) {
    it(`matches mse, l1, psnr and ssim per pair and on average (${name})`, () => {
      const e = loadExpected(dir);
      const set = e.sets[name];
      const tol = e.tolerance;
      const pairs = { generated: stack(dir, `fake_${name}.npy`, h, w, c), reference: stack(dir, `real_${name}.npy`, h, w, c) };
      const r = pixelMetrics(pairs, { range: 255 });
      const close = (got: number[], want: number[], t: { rtol?: number; atol?: number }) =>
        got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual((t.atol ?? 0) + (t.rtol ?? 0) * Math.abs(want[i]!)));
      close(r.mse!.perPair, set.mse_255, tol.mse_255);
      close(r.l1!.perPair, set.l1_255, tol.l1_255);
      close(r.psnr!.perPair, set.psnr, tol.psnr);
      close(r.ssim!.perPair, set.ssim, tol.ssim);
      const m = set.mean_over_pairs;
      close([r.mse!.value, r.l1!.value, r.psnr!.value, r.ssim!.value], [m.mse_255, m.l1_255, m.psnr, m.ssim], { rtol: 1e-12, atol: 1e-9 });
      const unit = pixelMetrics({ generated: stack(dir, `fake_${name}.npy`, h, w, c, 1 / 255), reference: stack(dir, `real_${name}.npy`, h, w, c, 1 / 255) }, { range: 1 });
      close(unit.mse!.perPair, set.mse_01, tol.mse_01);
      close(unit.l1!.perPair, set.l1_01, tol.l1_01);
      close(unit.ssim!.perPair, set.ssim, tol.ssim);
    });
  }
});

describe('pixel metrics analytic cases', () => {
  const img = (n: number, h: number, w: number, c: number, f: (i: number) => number): ImageStack => ({ n, height: h, width: w, channels: c, data: Float64Array.from({ length: n * h * w * c }, (_, i) => f(i)) });

  it('identical images: mse = l1 = 0, ssim = 1, psnr = Infinity', () => {
    const a = img(2, 16, 16, 3, (i) => (i * 37) % 256);
    const r = pixelMetrics({ generated: a, reference: a }, { range: 255 });
    expect([r.mse!.value, r.l1!.value, r.ssim!.value, r.psnr!.value]).toEqual([0, 0, 1, Infinity]);
  });

  it('a constant offset: mse = offset^2, l1 = offset, psnr = 10 log10(R^2 / offset^2)', () => {
    const a = img(1, 12, 12, 1, (i) => (i * 13) % 200);
    const b = { ...a, data: a.data.map((v) => v + 10) };
    const r = pixelMetrics({ generated: b, reference: a }, { range: 255 });
    expect(r.mse!.value).toBeCloseTo(100, 12);
    expect(r.l1!.value).toBeCloseTo(10, 12);
    expect(r.psnr!.value).toBeCloseTo(10 * Math.log10(255 ** 2 / 100), 12);
    expect(ssimPair(a, b, 0, 255)).toBeLessThan(1);
  });

  it('rejects mismatched shapes and a non-positive range', () => {
    const a = img(1, 12, 12, 1, () => 1);
    const b = img(1, 12, 13, 1, () => 1);
    expect(() => pixelMetrics({ generated: a, reference: b }, { range: 255 })).toThrow(/differ in shape/);
    expect(() => pixelMetrics({ generated: a, reference: a }, { range: 0 })).toThrow(/data range must be a positive number/);
  });
});
