import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { encodeNpy } from '../../src/io/npy.js';
import { matrixSha256 } from '../../src/nn/cache.js';
import type { Case } from './case.js';

/**
 * Statistics files given with the reference rows (`genbench metrics --reference R.npy --reference-stats S.npz`):
 * members missing, shapes wrong, radii of another count or k, rows other than those the file was made from.
 */
const ROWS = 8;
const DIM = 2;
const rows = Float64Array.from({ length: ROWS * DIM }, (_, i) => Math.sin(i + 1));
const featuresSha256 = matrixSha256({ rows: ROWS, cols: DIM, data: rows });

type Members = Record<string, Uint8Array | undefined>;

/** A statistics file for `rows` (values need not be right: these files fail before any metric), with members overridden. */
function statsFile(over: Members = {}, recipe: Record<string, unknown> = { featuresSha256 }): Uint8Array {
  const members: Members = {
    'mu.npy': encodeNpy(new Float64Array(DIM), [DIM]),
    'sigma.npy': encodeNpy(Float64Array.of(1, 0, 0, 1), [DIM, DIM]),
    'count.npy': encodeNpy(Int32Array.of(ROWS), [1]),
    'radii.npy': encodeNpy(new Float64Array(2 * ROWS).fill(1), [2, ROWS]),
    'radii_k.npy': encodeNpy(Int32Array.of(3, 5), [2]),
    'recipe.json': new TextEncoder().encode(JSON.stringify(recipe)),
    ...over,
  };
  return zipSync(Object.fromEntries(Object.entries(members).filter((e): e is [string, Uint8Array] => e[1] !== undefined)));
}

function statsCase(name: string, file: () => Uint8Array, stderr: RegExp, extra: readonly string[] = []): Case {
  return {
    name: `metrics --reference-stats: ${name}`,
    setup: async (d) => {
      await writeFile(join(d, 'r.npy'), encodeNpy(rows, [ROWS, DIM]));
      await writeFile(join(d, 's.npz'), file());
    },
    args: ['metrics', '--generated', 'r.npy', '--reference', 'r.npy', '--reference-stats', 's.npz', '--no-ci', ...extra],
    code: 2,
    stderr,
  };
}

export const STATS_CASES: readonly Case[] = [
  statsCase('radii without radii_k', () => statsFile({ 'radii_k.npy': undefined }), /^genbench: s\.npz: radii\.npy and radii_k\.npy come together \(missing radii_k\.npy\)/),
  statsCase('sigma of the wrong shape', () => statsFile({ 'sigma.npy': encodeNpy(new Float64Array(3), [3, 1]) }), /^genbench: s\.npz: mu is \(2\) and sigma \(3, 1\); expected mu \(d,\) and sigma \(d, d\)/),
  statsCase('radii count is not the image count', () => statsFile({ 'radii.npy': encodeNpy(new Float64Array(2 * 7), [2, 7]) }), /^genbench: s\.npz: radii is float64 \(2, 7\); expected float \(2, 8\): one radius per image/),
  statsCase('radii but no featuresSha256', () => statsFile({}, {}), /^genbench: s\.npz: holds radii but recipe\.json has no featuresSha256/),
  statsCase('rows other than those the file was made from', () => statsFile({}, { featuresSha256: '0'.repeat(64) }), /^genbench: r\.npy: its 8 x 2 feature rows \(sha256 [0-9a-f]{12}\.\.\.\) are not the rows s\.npz was made from/),
  statsCase('k of the metric not among the stored radii', () => statsFile({ 'radii.npy': encodeNpy(new Float64Array(ROWS).fill(1), [1, ROWS]), 'radii_k.npy': encodeNpy(Int32Array.of(5), [1]) }), /^genbench: s\.npz: holds k-NN radii for k = 5 but prdc needs k = 3 \(--k-pr, --k-dc\); remake it with genbench stats --k 3,5$/, ['--metrics', 'precision']),
  {
    name: 'metrics --reference-stats with a statistics file as --reference',
    setup: (d) => writeFile(join(d, 's.npz'), statsFile()),
    args: ['metrics', '--generated', 's.npz', '--reference', 's.npz', '--reference-stats', 's.npz'],
    code: 2,
    stderr: /^genbench: --reference-stats S\.npz goes with the reference features \(--reference R\.npy\)/,
  },
  {
    name: 'stats --k that is not a list of positive integers',
    args: ['stats', '--input', 'x.npy', '--k', '3,0', '--out', 's.npz'],
    code: 2,
    stderr: /^genbench: --k 3,0: give distinct positive integers separated by commas/,
  },
];
