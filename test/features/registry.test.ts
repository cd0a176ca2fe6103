import { describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import {
  createExtractor,
  DEFAULT_EXTRACTOR,
  defaultLayerFor,
  extractorForms,
  mobilenetPreprocessing,
  preprocessBatch,
  preprocessing,
} from '../../src/features/index.js';
import { resizeImage, toChannels } from '../../src/io/image-codec.js';

describe('createExtractor', () => {
  it('lists every valid form for an unknown id', async () => {
    const e = await createExtractor('inception-v3').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GenbenchError);
    expect((e as GenbenchError).code).toBe('USAGE');
    expect((e as GenbenchError).message).toBe(
      "unknown extractor 'inception-v3'; valid: mobilenet-v1-0.75 (default), mobilenet-v1-0.25, discriminator:<path>, custom:<path>, classifier:<dataset|path>",
    );
    expect(DEFAULT_EXTRACTOR).toBe('mobilenet-v1-0.75');
    expect(extractorForms()).toHaveLength(5);
  });

  it('says which datasets have a standard classifier when classifier:<name> has none', async () => {
    await expect(createExtractor('classifier:cifar10')).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/^extractor 'classifier:cifar10': no standard classifier recipe .*mnist, pneumoniamnist, polygons.*genbench train --model classifier/),
    });
  });

  it('needs a path after the colon, and a known filter', async () => {
    await expect(createExtractor('custom:')).rejects.toThrow(/needs a value after the colon: custom:<path>/);
    await expect(createExtractor('mobilenet-v1-0.25', { filter: 'lanczos' as 'area' })).rejects.toThrow(/unknown resize filter/);
    await expect(createExtractor('discriminator:/nonexistent/d.onnx')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('has no class-score layer for IS on a features-only extractor', () => {
    expect(() => defaultLayerFor({ id: 'discriminator:d', defaults: { features: 'f2' } }, 'class-scores')).toThrow(/has no class-score/);
  });
});

describe('preprocessBatch', () => {
  const gray = { data: Uint8Array.from({ length: 2 * 9 }, (_, i) => (i * 29) % 256), n: 2, height: 3, width: 3, channels: 1 };

  it('resizing gray then replicating equals replicating then resizing (the declared rule)', () => {
    const p = preprocessing({ height: 5, width: 4, filter: 'bicubic', range: [0, 255], channels: 3, layout: 'NHWC' });
    const x = preprocessBatch(gray, p);
    for (let i = 0; i < 2; i++) {
      const img = { data: gray.data.subarray(i * 9, (i + 1) * 9), width: 3, height: 3, channels: 1 as const };
      const want = resizeImage(toChannels(img, 3), { height: 5, width: 4, filter: 'bicubic' }).data;
      expect(Array.from(x.subarray(i * 60, (i + 1) * 60))).toEqual(Array.from(want));
    }
  });

  it('scales 0..255 to the declared range and lays out NCHW', () => {
    const rgb = { data: Uint8Array.of(0, 255, 51, 255, 0, 102), n: 1, height: 1, width: 2, channels: 3 };
    const p = preprocessing({ height: 1, width: 2, filter: 'bilinear', range: [-1, 1], channels: 3, layout: 'NCHW' });
    const x = Array.from(preprocessBatch(rgb, p));
    const want = [0, 255, 255, 0, 51, 102].map((v) => Math.fround(v * (2 / 255) - 1));
    x.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
  });

  it('mobilenet input: 28x28 gray -> 224x224x3 in [-1, 1]', () => {
    const img = { data: Uint8Array.from({ length: 784 }, (_, i) => i % 256), n: 1, height: 28, width: 28, channels: 1 };
    const x = preprocessBatch(img, mobilenetPreprocessing());
    expect(x.length).toBe(224 * 224 * 3);
    expect(x.reduce((a, b) => Math.min(a, b))).toBe(-1); // pixel 0
    expect(x.reduce((a, b) => Math.max(a, b))).toBe(1); // pixel 255
    expect(x[0]).toBe(x[1]); // R = G = B
  });
});
