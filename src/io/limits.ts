import { GenbenchError } from '../errors.js';

/**
 * Size limits checked before memory is allocated, so that a small hostile or mistaken file (a 1 MB PNG that
 * declares 30000x30000 pixels, a manifest with image_shape [1,100000,100000]) is a one-line error instead of
 * gigabytes of RAM or a crash.
 *
 * - pixels per image: `GENBENCH_MAX_PIXELS` (default 64,000,000, 64 megapixels), for decoded images and generator
 *   output shapes;
 * - values per array: 2^32 - 1 (the largest typed array Node allocates), for sample buffers.
 */
export const DEFAULT_MAX_PIXELS = 64_000_000;
export const MAX_ARRAY_VALUES = 2 ** 32 - 1;

/**
 * The pixel budget per image: GENBENCH_MAX_PIXELS when set (a positive integer), else 64 megapixels.
 *
 * @example
 * maxPixels(); // 64000000
 */
export function maxPixels(): number {
  const raw = process.env['GENBENCH_MAX_PIXELS'];
  if (raw === undefined || raw === '') return DEFAULT_MAX_PIXELS;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new GenbenchError('USAGE', `GENBENCH_MAX_PIXELS='${raw}': expected a positive integer number of pixels, e.g. 64000000`);
  }
  return n;
}

/**
 * Throws an INPUT error naming `name` when a width x height image is over the pixel budget.
 *
 * @example
 * checkPixels(30000, 30000, 'big.png'); // throws: big.png: 30000x30000 is 900.0 megapixels, over the limit of 64.0 megapixels (raise GENBENCH_MAX_PIXELS to allow it)
 */
export function checkPixels(width: number, height: number, name: string): void {
  const limit = maxPixels();
  if (width * height > limit) {
    throw new GenbenchError(
      'INPUT',
      `${name}: ${width}x${height} is ${pixels(width * height)}, over the limit of ${pixels(limit)} (raise GENBENCH_MAX_PIXELS to allow it)`,
    );
  }
}

/**
 * Throws a USAGE error when an array of `count` values cannot be allocated (`what` says what it is for).
 *
 * @example
 * checkArrayValues(1e11 * 64, '--n 100000000000 latents'); // throws: --n 100000000000 latents: 6.4e+12 values, more than one array holds (4294967295)
 */
export function checkArrayValues(count: number, what: string): void {
  if (!Number.isSafeInteger(count) || count > MAX_ARRAY_VALUES) {
    throw new GenbenchError('USAGE', `${what}: ${count.toPrecision(3)} values, more than one array holds (${MAX_ARRAY_VALUES}); use fewer`);
  }
}

function pixels(n: number): string {
  return n >= 1e5 ? `${(n / 1e6).toFixed(1)} megapixels` : `${n} pixels`;
}
