import type { ImageBatchF32 } from '../../src/io/image.js';
import type { Generator } from '../../src/models/types.js';
import { Rng } from '../../src/rng.js';

/**
 * Wraps a generator so that every image gets N(0, sigma^2) noise (sigma in the model's output units) from a seeded
 * Rng, clipped to the declared range: a deliberately worse model for the gate tests. `dispose` releases the inner
 * generator.
 */
export function noisyGenerator(inner: Generator, sigma: number, seed: number): Generator {
  const [lo, hi] = inner.range;
  const addNoise = (b: ImageBatchF32, rng: Rng): ImageBatchF32 => {
    const data = new Float32Array(b.data.length);
    for (let i = 0; i < data.length; i++) data[i] = Math.min(hi, Math.max(lo, b.data[i]! + sigma * rng.normal()));
    return { ...b, data };
  };
  return {
    manifest: { ...inner.manifest, name: `${inner.manifest.name}+noise` },
    path: inner.path,
    sha256: inner.sha256,
    engine: inner.engine,
    latentDim: inner.latentDim,
    imageShape: inner.imageShape,
    ...(inner.classes === undefined ? {} : { classes: inner.classes }),
    range: inner.range,
    sample: async (opts) => addNoise(await inner.sample(opts), new Rng(seed).fork('noise')),
    generate: async (z, labels, opts) => addNoise(await inner.generate(z, labels, opts), new Rng(seed).fork('noise')),
    dispose: () => inner.dispose(),
  };
}
