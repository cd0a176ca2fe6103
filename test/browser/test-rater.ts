/**
 * The browser test's rater. It judges only what the page shows (the image's pixels), like a person would, and
 * needs no server backdoor: the fixture DCGAN leaves a faint haze of low grey values in the background of its
 * digits, while real MNIST digits sit on black. Served images carry a ±1 grey-level dither (src/rating/serve-image.ts),
 * so level 1 says nothing; levels 2..20 still do (measured on served fixture images: fakes have 32+ of them, real
 * held-out digits at most ~28). That is a difference of the model's pixels, not of the encoding. Noise (vigilance)
 * images have ~60 and are called fake as well.
 */

/** Pixels with grey level 2..20 in an image (`stride` bytes per pixel, first channel). */
export function faintPixels(data: ArrayLike<number>, stride: number): number {
  let n = 0;
  for (let i = 0; i < data.length; i += stride) {
    const v = data[i]!;
    if (v >= 2 && v <= 20) n++;
  }
  return n;
}

/** More faint pixels than this: fake. */
export const FAINT_THRESHOLD = 30;
