/**
 * Helpers shared by the metrics' bootstrap schemes: a bootstrap resample is a vector of row multiplicities (how
 * often each row was drawn), so a metric can weight its precomputed per-row structures instead of copying rows.
 *
 * @example
 * counts(Int32Array.of(0, 0, 2), 3); // Float64Array [2, 0, 1]
 */

/** Multiplicity of each of `rows` rows in one draw of row indices. */
export function counts(draw: ArrayLike<number>, rows: number): Float64Array {
  const w = new Float64Array(rows);
  for (let i = 0; i < draw.length; i++) w[draw[i]!] += 1;
  return w;
}

/** All-ones multiplicities: a role that is not resampled. */
export function ones(rows: number): Float64Array {
  return new Float64Array(rows).fill(1);
}

/** The multiplicities of draw `b` of a role (or ones when the role is held fixed). */
export function weightsOf(draws: readonly Int32Array[] | null, b: number, rows: number): Float64Array {
  return draws === null ? ones(rows) : counts(draws[b]!, rows);
}
