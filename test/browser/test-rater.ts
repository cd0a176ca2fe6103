/**
 * The browser test's rater. It judges only what the page shows (the image's pixels), like a person would, and
 * needs no server backdoor: the fixture DCGAN leaves a faint haze of low grey values (1..20) in the background of
 * its digits, while real MNIST digits sit on exact black with few such pixels (measured on the fixture: fakes have
 * 48+ of them, real held-out digits at most ~32). Noise (vigilance) images have ~60 and are called fake as well.
 */

/** Pixels with grey level 1..20 in an image (`stride` bytes per pixel, first channel). */
export function faintPixels(data: ArrayLike<number>, stride: number): number {
  let n = 0;
  for (let i = 0; i < data.length; i += stride) {
    const v = data[i]!;
    if (v >= 1 && v <= 20) n++;
  }
  return n;
}

/** More faint pixels than this: fake. */
export const FAINT_THRESHOLD = 40;
