/**
 * Seeded pseudo-random numbers: the only source of randomness in genbench (no Math.random elsewhere).
 *
 * Generator: xoshiro128** (Blackman & Vigna 2018), 32-bit state words seeded through splitmix32 so that
 * neighbouring seeds give unrelated streams. Normals by the Box-Muller transform on 53-bit uniforms.
 * The stream for a seed is part of genbench's reproducibility contract: changing it changes every recipe.
 *
 * @example
 * const rng = new Rng(0);
 * rng.float();   // 0.4837...  in [0, 1)
 * rng.normal();  // standard normal
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;
  readonly seed: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    }
    this.seed = seed;
    let x = seed >>> 0;
    const next = (): number => {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Next 32-bit unsigned integer. */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.uint32() >>> 5; // 27 bits
    const lo = this.uint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) throw new RangeError(`int(n) needs 0 < n <= 2^32, got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const r = this.uint32();
      if (r < limit) return r % n;
    }
  }

  /** Standard normal N(0, 1) (Box-Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with standard normals and returns it. */
  fillNormal<T extends Float32Array | Float64Array>(out: T): T {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return out;
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(items: T[] | Int32Array | Uint32Array): typeof items {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** `k` distinct indices from [0, n), in random order (partial Fisher-Yates). */
  sampleWithoutReplacement(n: number, k: number): Int32Array {
    if (k > n) throw new RangeError(`cannot draw ${k} distinct items from ${n}`);
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
    }
    return idx.slice(0, k);
  }

  /** An independent child stream, derived from this stream's seed and a label (e.g. 'latents', 'bootstrap'). */
  fork(label: string): Rng {
    let h = 0x811c9dc5 ^ this.seed;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    return new Rng(h >>> 0);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
