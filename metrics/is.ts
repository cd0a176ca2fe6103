/**
 * Inception Score: exp(E_x KL(p(y|x) || p(y))) per split, mean and std over splits.
 *
 * Paper: T. Salimans, I. Goodfellow, W. Zaremba, V. Cheung, A. Radford, X. Chen, "Improved Techniques for Training
 * GANs", NeurIPS 2016.
 * Checked against: torch-fidelity 0.4.0 `metric_isc.isc_features_to_metric` (toshas/torch-fidelity @ 5e211a9),
 * fixture `fixtures/metrics/is-logits` in GENBENCH_ASSETS (also its sbarratt and torchmetrics-style variants).
 *
 * Conventions (torch-fidelity): from logits, log p = log-softmax in float64 (no eps; p = exp(log p)); from
 * probabilities, 0 * log 0 = 0. Split i holds rows [i*N/s, (i+1)*N/s) (integer division, every row used); the
 * score of a split is exp(mean_x sum_y p(y|x) (log p(y|x) - log mean_x p(y|x))); std is the population std (ddof 0).
 * Rows are taken in the given order unless a permutation or a shuffle seed is given (torch-fidelity shuffles with
 * numpy's RandomState(2020) by default; its permutation can be passed explicitly to reproduce it).
 *
 * @example
 * inceptionScore({ generated: logits, kind: 'logits' }); // { value: 17.484, std: 1.876, perSplit: [...], splits: 10 }
 */
import { GenbenchError } from '../src/errors.js';
import { gemm } from '../src/linalg/gemm.js';
import { takeRows, type Matrix } from '../src/linalg/matrix.js';
import { Rng } from '../src/rng.js';
import { checkMatrix } from './check.js';
import { meanStd } from './kid.js';
import { paramDefaults, type ParamSpecs } from './params.js';
import { numParam, type ClassMetricDescriptor, type ClassScores, type MetricParams, type MetricResults, type ResampleDraws, type ResampledValues, type SetSizes } from './types.js';

export interface InceptionScoreOptions {
  readonly splits?: number;
  /** Permute rows with Rng(shuffleSeed) before splitting. */
  readonly shuffleSeed?: number;
  /** Explicit row order (e.g. numpy's permutation); overrides shuffleSeed. */
  readonly permutation?: ArrayLike<number>;
}

export interface InceptionScore {
  readonly value: number;
  readonly std: number;
  readonly perSplit: number[];
  readonly splits: number;
}

/** Inception Score of class logits or probabilities (rows = samples). */
export function inceptionScore(scores: ClassScores, opts: InceptionScoreOptions = {}): InceptionScore {
  const splits = opts.splits ?? 10;
  checkMatrix(scores.generated, scores.kind, 2);
  const n = scores.generated.rows;
  if (!Number.isInteger(splits) || splits < 1 || splits > n) {
    throw new GenbenchError('USAGE', `IS splits must be an integer in [1, ${n}] for ${n} samples, got ${splits}; lower --splits`);
  }
  let rows = scores.generated;
  if (opts.permutation) rows = takeRows(rows, opts.permutation);
  else if (opts.shuffleSeed !== undefined) {
    const order = new Int32Array(n).map((_, i) => i);
    new Rng(opts.shuffleSeed).shuffle(order);
    rows = takeRows(rows, order);
  }
  const logp = scores.kind === 'logits' ? logSoftmaxRows(rows) : logProbRows(rows);
  const perSplit: number[] = [];
  for (let i = 0; i < splits; i++) {
    perSplit.push(splitScore(logp, Math.floor((i * n) / splits), Math.floor(((i + 1) * n) / splits)));
  }
  const { mean, std } = meanStd(perSplit);
  return { value: mean, std, perSplit, splits };
}

/** exp(mean over rows [from, to) of KL(p_x || mean p)). */
function splitScore(logp: Matrix, from: number, to: number): number {
  const c = logp.cols;
  const q = new Float64Array(c);
  for (let i = from; i < to; i++) for (let j = 0; j < c; j++) q[j] += Math.exp(logp.data[i * c + j]!);
  for (let j = 0; j < c; j++) q[j] = Math.log(q[j]! / (to - from));
  let kl = 0;
  for (let i = from; i < to; i++) {
    let row = 0;
    for (let j = 0; j < c; j++) {
      const lp = logp.data[i * c + j]!;
      if (lp !== -Infinity) row += Math.exp(lp) * (lp - q[j]!);
    }
    kl += row;
  }
  return Math.exp(kl / (to - from));
}

/** Row-wise log-softmax in float64: x - max - log(sum exp(x - max)). */
export function logSoftmaxRows(x: Matrix): Matrix {
  const c = x.cols;
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < x.rows; i++) {
    let max = -Infinity;
    for (let j = 0; j < c; j++) max = Math.max(max, x.data[i * c + j]!);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(x.data[i * c + j]! - max);
    const lse = max + Math.log(s);
    for (let j = 0; j < c; j++) out[i * c + j] = x.data[i * c + j]! - lse;
  }
  return { rows: x.rows, cols: c, data: out };
}

/** log of probability rows, checking they are probabilities (non-negative, summing to 1 within 1e-3). */
function logProbRows(p: Matrix): Matrix {
  const c = p.cols;
  const out = new Float64Array(p.data.length);
  for (let i = 0; i < p.rows; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) {
      const v = p.data[i * c + j]!;
      if (v < 0) throw new GenbenchError('INPUT', `probs: negative probability ${v} at row ${i}, column ${j}; pass logits with --logits instead`);
      s += v;
      out[i * c + j] = Math.log(v);
    }
    if (Math.abs(s - 1) > 1e-3) {
      throw new GenbenchError('INPUT', `probs: row ${i} sums to ${s}, not 1; pass raw scores with --logits instead`);
    }
  }
  return { rows: p.rows, cols: c, data: out };
}

/**
 * IS on bootstrap resamples of the generated rows: each resample's rows, in draw order, are cut into the same splits
 * as the point value. With p = exp(log p) and h_i = sum_y p_iy log p_iy computed once, a split's score is
 * exp(mean_i h_i - sum_y q_y log q_y), q = the split's mean p. The splits' sums of p are one matrix product per
 * chunk of resamples, C P, where row (resample, split) of C counts how often each row was drawn into that split.
 *
 * @example
 * (await isResampled({ generated: logits, kind: 'logits' }, draws, 10)).length; // draws.generated.length
 */
export async function isResampled(scores: ClassScores, draws: ResampleDraws, splits: number): Promise<Float64Array> {
  const logp = scores.kind === 'logits' ? logSoftmaxRows(scores.generated) : logProbRows(scores.generated);
  const { rows: n, cols: c } = logp;
  const p: Matrix = { rows: n, cols: c, data: logp.data.map(Math.exp) };
  const h = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) if (p.data[i * c + j]! > 0) h[i] += p.data[i * c + j]! * logp.data[i * c + j]!;
  const bounds = Array.from({ length: splits + 1 }, (_, s) => Math.floor((s * n) / splits));
  const all = draws.generated;
  const out = new Float64Array(all.length);
  const chunk = Math.max(1, Math.min(all.length, Math.floor(IS_CHUNK_BYTES / (8 * splits * n))));
  const counts = new Float64Array(chunk * splits * n);
  for (let r0 = 0; r0 < all.length; r0 += chunk) {
    const r1 = Math.min(all.length, r0 + chunk);
    counts.fill(0);
    const hs = new Float64Array((r1 - r0) * splits);
    for (let r = r0; r < r1; r++) {
      const idx = all[r]!;
      for (let s = 0; s < splits; s++) {
        const row = ((r - r0) * splits + s) * n;
        for (let a = bounds[s]!; a < bounds[s + 1]!; a++) {
          counts[row + idx[a]!] += 1;
          hs[(r - r0) * splits + s] += h[idx[a]!]!;
        }
      }
    }
    const q = await gemm({ rows: (r1 - r0) * splits, cols: n, data: counts.subarray(0, (r1 - r0) * splits * n) }, p);
    for (let r = r0; r < r1; r++) {
      let total = 0;
      for (let s = 0; s < splits; s++) {
        const size = bounds[s + 1]! - bounds[s]!;
        const row = ((r - r0) * splits + s) * c;
        let cross = 0;
        for (let j = 0; j < c; j++) {
          const qj = q.data[row + j]! / size;
          if (qj > 0) cross += qj * Math.log(qj);
        }
        total += Math.exp(hs[(r - r0) * splits + s]! / size - cross);
      }
      out[r] = total / splits;
    }
  }
  return out;
}

/** Bytes of draw counts multiplied at once by isResampled (bounds its memory whatever the resample count). */
const IS_CHUNK_BYTES = 32 * 2 ** 20;

async function resampled(scores: ClassScores, params: MetricParams, draws: ResampleDraws, point: MetricResults): Promise<ResampledValues> {
  const splits = typeof point.is?.['splits'] === 'number' ? point.is['splits'] : numParam(params, 'splits');
  return { values: { is: await isResampled(scores, draws, splits) } };
}

async function compute(scores: ClassScores, params: MetricParams): Promise<MetricResults> {
  const r = inceptionScore(scores, {
    splits: numParam(params, 'splits'),
    ...(params['shuffle'] === true ? { shuffleSeed: numParam(params, 'shuffleSeed') } : {}),
  });
  return { is: { value: r.value, std: r.std, splits: r.splits, perSplit: r.perSplit } };
}

const IS_PARAMS: ParamSpecs = {
  splits: { type: 'int', default: 10, min: 1, flag: 'splits', help: 'number of splits', example: 5 },
  shuffle: { type: 'boolean', default: false, help: 'permute the rows (seeded by shuffleSeed) before splitting', example: true },
  shuffleSeed: { type: 'int', default: 2020, min: 0, max: 0xffffffff, flag: 'shuffle-seed', help: 'permute the rows with this seed before splitting (without it: file order)', requires: { shuffle: true }, example: 7 },
};

/** No more splits than samples (one per sample). */
function fit(params: MetricParams, sizes: SetSizes, warn: (message: string) => void): MetricParams {
  if (typeof params['splits'] !== 'number' || params['splits'] <= sizes.generated) return params;
  warn(`is: splits lowered from ${params['splits']} to ${sizes.generated} (one per sample)`);
  return { ...params, splits: sizes.generated };
}

export const isDescriptor: ClassMetricDescriptor = {
  id: 'is',
  group: 'is',
  input: 'class-scores',
  title: 'Inception Score',
  higherIsBetter: true,
  paper: 'Salimans et al., Improved Techniques for Training GANs, NeurIPS 2016',
  reference: 'torch-fidelity 0.4.0 metric_isc.isc_features_to_metric (splits [i*N//s, (i+1)*N//s), ddof 0)',
  params: IS_PARAMS,
  defaults: paramDefaults(IS_PARAMS),
  defaultFor: 'class-scores',
  tolerance: { absolute: 0, relative: 0.05 },
  display: { order: 30, label: 'IS' },
  fit,
  compute,
  resampled,
};
