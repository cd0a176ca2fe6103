import { GenbenchError } from '../errors.js';
import type { Report } from '../io/report.js';

/**
 * Whether two reports can be gated against each other. Every input that moves a metric value must agree: the
 * extractor (id, weights sha256, layers, preprocessing), the reference data (dataset name, split, sha256 of the
 * images used), the sample counts, the quantisation, the metric parameters, the bootstrap level and, when both have
 * feature_matching, its discriminator (id, weights, layers, preprocessing, quantisation). The first
 * difference is an INPUT error (exit 2) whose one line names the field and both values. Differences that cannot
 * move a value much but are worth knowing (genbench version, engines, label mode, bootstrap resamples) come back as
 * notes. The model and the sampling seed are what a gate compares, so they may differ.
 *
 * @example
 * assertComparable(base, cand);
 * // GenbenchError "reports are not comparable: recipe.n.generated differs (baseline 5000, candidate 1000); ..."
 * comparabilityNotes(base, cand); // ['genbench version differs: 0.1.0 vs 0.2.0']
 */
export function assertComparable(baseline: Report, candidate: Report): void {
  for (const [field, get] of MUST_MATCH) {
    const [a, b] = [get(baseline), get(candidate)];
    if (field === 'recipe.featureMatching' && (a === null || b === null)) continue;
    const diff = firstDifference(a, b, field);
    if (diff !== undefined) {
      throw new GenbenchError(
        'INPUT',
        `reports are not comparable: ${diff.path} differs (baseline ${show(diff.a)}, candidate ${show(diff.b)}); evaluate both with the same recipe (re-run genbench evaluate for the baseline)`,
      );
    }
  }
}

type Getter = (r: Report) => unknown;

/** The fields that must agree, in the order they are checked (the most telling first). */
const MUST_MATCH: ReadonlyArray<readonly [string, Getter]> = [
  ['recipe.extractor.id', (r) => r.recipe.extractor.id],
  ['recipe.extractor.weightsSha256', (r) => r.recipe.extractor.weightsSha256],
  ['recipe.extractor.layers', (r) => r.recipe.extractor.layers],
  ['recipe.extractor.preprocessing', (r) => r.recipe.extractor.preprocessing],
  ['dataset.name', (r) => r.dataset.name],
  ['dataset.split', (r) => r.dataset.split],
  // the reference rows themselves may differ (a seeded random subset per run, which the intervals cover); the split
  // they are drawn from, its files and the subset size may not
  ['dataset.files', (r) => r.dataset.files.map((f) => f.sha256)],
  // an image-folder reference read at another size (--resize) is other reference images from the same files
  ['recipe.preprocessing.reference', (r) => r.recipe.preprocessing?.reference ?? null],
  ['recipe.reference.of', (r) => r.recipe.reference?.of ?? r.dataset.count],
  ['recipe.n', (r) => r.recipe.n],
  ['recipe.sampling.quantisation', (r) => r.recipe.sampling.quantisation],
  ['recipe.params', (r) => withoutSeededRows(r.recipe.params)],
  ['recipe.bootstrap.level', (r) => r.recipe.bootstrap?.level ?? null],
  // feature_matching's discriminator, when both reports have one (a report without the metric gates on the others)
  ['recipe.featureMatching', (r) => discriminatorOf(r)],
];

/** The discriminator entry of feature_matching without its engine (an engine moves no value; it is a note). */
function discriminatorOf(r: Report): unknown {
  const fm = r.recipe.featureMatching;
  if (fm === undefined) return null;
  const { engine: _engine, ...rest } = fm;
  return rest;
}

/**
 * The parameters that must match: all but the memorisation checks' seed, which like the sampling seed only picks
 * which rows are drawn (the checks' verdicts are calibrated for any seed), and KID's `degree: 3, coef0: 1` that
 * earlier reports recorded: they named the cubic kernel KID always used, so a report without them is the same KID.
 */
function withoutSeededRows(params: Report['recipe']['params']): Report['recipe']['params'] {
  const out = { ...params };
  const memo = params['memorization'];
  if (memo !== undefined) {
    const { seed: _seed, ...rest } = memo;
    out['memorization'] = rest;
  }
  const kid = params['kid'];
  if (kid !== undefined && kid['degree'] === 3 && kid['coef0'] === 1) {
    const { degree: _degree, coef0: _coef0, ...rest } = kid;
    out['kid'] = rest;
  }
  return out;
}

/** Notes on differences that do not block the gate. */
export function comparabilityNotes(baseline: Report, candidate: Report): string[] {
  const notes: string[] = [];
  const note = (what: string, a: unknown, b: unknown) => {
    if (firstDifference(a, b, what) !== undefined) notes.push(`${what} differs: ${show(a)} vs ${show(b)}`);
  };
  note('genbench version', baseline.recipe.genbench, candidate.recipe.genbench);
  note('generator engine', baseline.recipe.backend.generator, candidate.recipe.backend.generator);
  note('extractor engine', baseline.recipe.backend.extractor, candidate.recipe.backend.extractor);
  note('label mode', baseline.recipe.sampling.labels, candidate.recipe.sampling.labels);
  note('resize of the generated images', baseline.recipe.preprocessing?.generated ?? 'none', candidate.recipe.preprocessing?.generated ?? 'none');
  note('bootstrap resamples', baseline.recipe.bootstrap?.resamples ?? 0, candidate.recipe.bootstrap?.resamples ?? 0);
  if (baseline.recipe.seeds.sampling === candidate.recipe.seeds.sampling && sameModel(baseline, candidate)) {
    notes.push('same model and sampling seed in both reports: the difference shows no sampling noise');
  }
  return notes;
}

function sameModel(a: Report, b: Report): boolean {
  return firstDifference(a.model.files, b.model.files, 'model.files') === undefined;
}

/**
 * The first leaf where `a` and `b` differ, as a dotted path under `path` (object keys in sorted order, array
 * indices as numbers); undefined when they are equal as JSON values.
 */
export function firstDifference(a: unknown, b: unknown, path: string): { path: string; a: unknown; b: unknown } | undefined {
  if (Object.is(a, b)) return undefined;
  if (isObject(a) && isObject(b)) {
    if (Array.isArray(a) !== Array.isArray(b)) return { path, a, b };
    if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return { path: `${path}.length`, a: a.length, b: b.length };
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference(a[k], b[k], `${path}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return { path, a, b };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
