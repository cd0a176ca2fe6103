/**
 * An elementary reflector H = I - tau v v^T with v[0] = 1 such that H x = (beta, 0, ..., 0) (LAPACK dlarfg).
 * `x` is read with a stride so columns of row-major matrices work in place.
 *
 * @example
 * householder(Float64Array.of(3, 4), 0, 1, 2) // { tau: 1.6, beta: -5, v: [1, 0.5] }
 */
export interface Reflector {
  readonly tau: number;
  readonly beta: number;
  readonly v: Float64Array;
}

export function householder(x: Float64Array, offset: number, stride: number, len: number): Reflector {
  const v = new Float64Array(len);
  const alpha = x[offset]!;
  let xnorm = 0;
  let scale = 0;
  for (let i = 1; i < len; i++) scale = Math.max(scale, Math.abs(x[offset + i * stride]!));
  if (scale > 0) {
    for (let i = 1; i < len; i++) {
      const t = x[offset + i * stride]! / scale;
      xnorm += t * t;
    }
    xnorm = scale * Math.sqrt(xnorm);
  }
  v[0] = 1;
  if (xnorm === 0) return { tau: 0, beta: alpha, v };
  const beta = -Math.sign(alpha || 1) * Math.hypot(alpha, xnorm);
  const inv = 1 / (alpha - beta);
  for (let i = 1; i < len; i++) v[i] = x[offset + i * stride]! * inv;
  return { tau: (beta - alpha) / beta, beta, v };
}
