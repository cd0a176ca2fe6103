/**
 * Eigenvalues (and optionally eigenvectors) of a symmetric tridiagonal matrix by the implicit QL method with
 * Wilkinson shifts (EISPACK tql1/tql2 as ported in JAMA, public domain). Backward stable: every eigenvalue is
 * exact for a matrix within a few ulps of max|T| of the input.
 *
 * @example
 * tridiagonalEigenvalues(Float64Array.of(2, 2), Float64Array.of(1)) // Float64Array [1, 3]
 */
export function tridiagonalEigenvalues(diag: Float64Array, off: Float64Array): Float64Array {
  const d = Float64Array.from(diag);
  const e = new Float64Array(d.length);
  e.set(off.subarray(0, Math.max(0, d.length - 1)));
  qlImplicit(d, e, undefined);
  return d.sort();
}

/**
 * In-place implicit QL. `d` diagonal, `e` sub-diagonal in e[0..n-2] (e[n-1] ignored). When `z` (n x n row-major,
 * holding the accumulated transformation, e.g. the identity) is given, its columns become the eigenvectors.
 */
export function qlImplicit(d: Float64Array, e: Float64Array, z: Float64Array | undefined): void {
  const n = d.length;
  if (n === 0) return;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]!) > Number.EPSILON * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60 * n) throw new Error('tridiagonal QL did not converge');
        f += shiftAndSweep(d, e, l, m, z);
      } while (Math.abs(e[l]!) > Number.EPSILON * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

/** One implicit QL sweep on the block l..m with a Wilkinson shift; returns the shift taken out of d. */
function shiftAndSweep(d: Float64Array, e: Float64Array, l: number, m: number, z: Float64Array | undefined): number {
  const n = d.length;
  let g = d[l]!;
  let p = (d[l + 1]! - g) / (2 * e[l]!);
  let r = hypot(p, 1);
  if (p < 0) r = -r;
  d[l] = e[l]! / (p + r);
  d[l + 1] = e[l]! * (p + r);
  const dl1 = d[l + 1]!;
  const shift = g - d[l]!;
  for (let i = l + 2; i < n; i++) d[i] = d[i]! - shift;
  let h = shift;
  p = d[m]!;
  let c = 1;
  let c2 = c;
  let c3 = c;
  const el1 = e[l + 1]!;
  let s = 0;
  let s2 = 0;
  for (let i = m - 1; i >= l; i--) {
    c3 = c2;
    c2 = c;
    s2 = s;
    g = c * e[i]!;
    h = c * p;
    r = hypot(p, e[i]!);
    e[i + 1] = s * r;
    s = e[i]! / r;
    c = p / r;
    p = c * d[i]! - s * g;
    d[i + 1] = h + s * (c * g + s * d[i]!);
    if (z !== undefined) rotateColumns(z, n, i, c, s);
  }
  p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
  e[l] = s * p;
  d[l] = c * p;
  return shift;
}

function rotateColumns(z: Float64Array, n: number, i: number, c: number, s: number): void {
  for (let k = 0; k < n; k++) {
    const row = k * n;
    const h = z[row + i + 1]!;
    z[row + i + 1] = s * z[row + i]! + c * h;
    z[row + i] = c * z[row + i]! - s * h;
  }
}

/**
 * sqrt(a^2 + b^2) without Math.hypot's cost (~60 ns in V8 against ~9 ns): the plain formula wherever the squares
 * can neither overflow nor underflow (error <= 2 ulp), Math.hypot's scaled one elsewhere.
 */
function hypot(a: number, b: number): number {
  const s = a * a + b * b;
  return s > 1e-290 && s < 1e290 ? Math.sqrt(s) : Math.hypot(a, b);
}
