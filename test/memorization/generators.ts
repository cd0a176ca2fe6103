import type { ImageBatchF32, ImageBatchU8 } from '../../src/io/image.js';
import { parseManifest } from '../../src/models/manifest.js';
import type { Generator, SampleOptions } from '../../src/models/types.js';
import { Rng } from '../../src/rng.js';

/**
 * A Generator that "generates" stored images: sample({ n, seed }) returns n distinct stored images in an order drawn
 * from Rng(seed), as floats in [0, 1] (so 8-bit quantisation gives the stored bytes back exactly). With the training
 * images it is the perfect copier; with held-out images it stands for real images the model never saw.
 */
export function storedImagesGenerator(images: ImageBatchU8, name: string): Generator {
  const { height, width, channels } = images;
  const size = height * width * channels;
  const manifest = parseManifest(
    { name, format: 'onnx', file: `${name}.onnx`, input: 'z', latent_dim: 1, output: 'x', output_layout: 'NHWC', output_range: '[0,1]', image_shape: [height, width, channels], conditional: null },
    name,
  );
  const take = (rows: ArrayLike<number>): ImageBatchF32 => {
    const data = new Float32Array(rows.length * size);
    for (let i = 0; i < rows.length; i++) for (let k = 0; k < size; k++) data[i * size + k] = images.data[rows[i]! * size + k]! / 255;
    return { data, n: rows.length, height, width, channels, range: [0, 1] };
  };
  return {
    manifest,
    path: `/memory/${name}`,
    sha256: '0'.repeat(64),
    engine: 'stored images (test)',
    latentDim: 1,
    imageShape: { height, width, channels },
    range: [0, 1],
    sample: async (o: SampleOptions) => take(new Rng(o.seed).sampleWithoutReplacement(images.n, o.n)),
    generate: async (z: Float32Array) => take(Array.from(z, (v) => Math.abs(Math.floor(v)) % images.n)),
    dispose: () => {},
  };
}
