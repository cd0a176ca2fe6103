import { resolve } from 'node:path';
import { Command } from 'commander';
import { BOOTSTRAP_DEFAULTS, bootstrapGroup, RECENTRED_METHOD, withIntervals } from '../../metrics/bootstrap.js';
import { defaultMetrics, groupMetrics, METRICS, parseMetricList, resolveParams, type ParamSpec } from '../../metrics/index.js';
import type { FeatureSets, MetricDescriptor, MetricParams, MetricResults, MetricValue, ParamValue } from '../../metrics/types.js';
import { sha256File } from '../assets/index.js';
import { GenbenchError } from '../errors.js';
import { readNpy, readNpyHeader, type NpyArray, type NpyHeader } from '../io/npy.js';
import { toFeatureMatrix, type Matrix } from '../linalg/matrix.js';
import type { Progress } from '../progress.js';
import { VERSION } from '../version.js';
import { parseIntFlag, printJson, printLine } from './output.js';
import { stderrProgress } from './progress-bar.js';

/**
 * `genbench metrics`: metrics on raw feature files, so anyone can check the numbers.
 *   genbench metrics --generated G.npy --reference R.npy [--metrics fd,kid,precision,recall,density,coverage] --json
 *   genbench metrics --logits L.npy --metrics is --json     (or --probs P.npy)
 *   genbench metrics --generated G.npy --reference R.npy --reference-stats R.npz   (R's statistics read, not recomputed)
 * Output: one entry per metric id ({ value, std?, ci95?, ...details }) plus `recipe` (every parameter, the input
 * files with sha256, the genbench version). Bad input exits 2 with one line. The per-metric flags (--kid-subsets,
 * --k-pr, ...) come from the descriptors' parameters (each `flag`); one for a metric not asked for is an error.
 *
 * @example
 * genbench metrics --generated fake.npy --reference real.npy --metrics kid --json   # { "kid": { "value": 0.0433, "std": 0.0028, ... }, "recipe": {...} }
 */
const FEATURE_DEFAULT = defaultMetrics(['features']).map((d) => d.id).join(',');
const CLASS_DEFAULT = defaultMetrics(['class-scores']).map((d) => d.id).join(',');

/** One generated flag: the parameter it sets, in the group whose descriptors declare it. */
interface ParamFlag {
  readonly flag: string;
  readonly name: string;
  readonly spec: ParamSpec;
  readonly group: readonly MetricDescriptor[];
}

/** Every descriptor parameter with a `flag`, once per group. */
const PARAM_FLAGS: readonly ParamFlag[] = groupMetrics([...METRICS.values()]).flatMap((group) =>
  Object.entries(group[0]!.params).flatMap(([name, spec]) => (spec.flag === undefined ? [] : [{ flag: spec.flag, name, spec, group }])),
);

interface MetricsFlags {
  generated?: string;
  reference?: string;
  logits?: string;
  probs?: string;
  referenceStats?: string;
  metrics?: string;
  seed?: string;
  bootstrap: string;
  ci: boolean;
  bootstrapFixedReference?: boolean;
  json?: boolean;
  quiet?: boolean;
  /** The generated per-metric flags, by commander's camelCase name. */
  [paramFlag: string]: string | boolean | undefined;
}

export function metricsCommand(): Command {
  const cmd = new Command('metrics')
    .description('compute metrics on feature files (.npy [samples, features]) or class logits/probabilities')
    .option('--generated <file.npy>', 'features of generated samples [N, d] (float16/32/64)')
    .option('--reference <file.npy>', 'features of reference samples [M, d], or their statistics S.npz (genbench stats; FD only)')
    .option('--reference-stats <S.npz>', 'statistics of the --reference rows (genbench stats): their mean, covariance and k-NN radii are read, not recomputed (same values); alone, as --reference S.npz')
    .option('--logits <file.npy>', 'class logits of generated samples [N, classes] (for is; softmax in float64)')
    .option('--probs <file.npy>', 'class probabilities of generated samples [N, classes] (for is)')
    .option('--metrics <list>', `comma-separated metric ids (default ${FEATURE_DEFAULT}, or ${CLASS_DEFAULT} with --logits/--probs)`)
    .option('--seed <int>', 'seed of KID subsets and bootstrap resamples (default: each metric\'s default, kid 2020)')
    .option('--bootstrap <n>', 'resamples of the 95% bootstrap intervals (ci95) on every metric, both sets resampled (0 = none)', String(BOOTSTRAP_DEFAULTS.resamples))
    .option('--no-ci', 'no intervals (same as --bootstrap 0)')
    .option('--bootstrap-fixed-reference', 'intervals resample the generated rows only (the reference held fixed, as for a reference that is the whole population)')
    .option('--json', 'machine-readable output on stdout')
    .option('--quiet', 'no progress bar');
  for (const f of PARAM_FLAGS) cmd.option(`--${f.flag} <${f.spec.type === 'choice' ? f.spec.choices!.join('|') : 'n'}>`, flagHelp(f));
  return cmd.action(runMetrics);
}

/** 'KID: number of subsets (default 100)': the metric's label when the group has one metric, the default unless the flag also switches something on. */
function flagHelp(f: ParamFlag): string {
  const owner = f.group.length === 1 ? `${f.group[0]!.display.label}: ` : '';
  const shown = f.spec.default !== undefined && f.spec.requires === undefined;
  return `${owner}${f.spec.help}${shown ? ` (default ${String(f.spec.default)})` : ''}`;
}

async function runMetrics(flags: MetricsFlags): Promise<void> {
  const f = referenceStatsFlags(flags);
  const classMode = f.logits !== undefined || f.probs !== undefined;
  if (f.logits !== undefined && f.probs !== undefined) throw new GenbenchError('USAGE', 'give either --logits or --probs, not both');
  if (classMode && (f.generated !== undefined || f.reference !== undefined)) {
    throw new GenbenchError('USAGE', '--logits/--probs (for is) cannot be combined with --generated/--reference; run genbench metrics twice');
  }
  if (!classMode && (f.generated === undefined || f.reference === undefined)) {
    throw new GenbenchError('USAGE', 'give --generated G.npy and --reference R.npy (features), or --logits L.npy / --probs P.npy (for is)');
  }
  if (!classMode && [f.generated, f.reference].some((p) => p?.toLowerCase().endsWith('.npz'))) {
    const { fdWithStats } = await import('./metrics-stats.js'); // statistics files (genbench stats)
    const out = await fdWithStats({ generated: f.generated!, reference: f.reference!, ...(f.metrics === undefined ? {} : { metrics: f.metrics }) });
    if (f.json) return printJson(out);
    return printHuman({ fd: out['fd'] as MetricValue });
  }
  const descs = parseMetricList(f.metrics ?? (classMode ? CLASS_DEFAULT : FEATURE_DEFAULT));
  const want = classMode ? 'class-scores' : 'features';
  for (const d of descs) {
    if (d.input !== want) throw new GenbenchError('USAGE', `metric '${d.id}' ${inputHint(d)}`);
  }
  const overrides = flagParams(f, descs);
  const progress = stderrProgress({ quiet: f.quiet === true });
  const loaded = classMode ? await loadClassScores(f) : await loadFeatureSets(f.generated!, f.reference!);
  const file = f.referenceStats === undefined ? undefined : await (await import('./metrics-stats.js')).referenceStatsFile(f.referenceStats, f.reference!, (loaded.input as FeatureSets).reference);
  const out: Record<string, unknown> = {};
  const params: Record<string, MetricParams> = {};
  const methods: Record<string, string> = {};
  for (const group of groupMetrics(descs)) {
    const p = groupParams(group, overrides);
    params[group[0]!.group] = p;
    const input = file === undefined ? loaded.input : (await import('./metrics-stats.js')).withStatsFile(group[0]!, loaded.input as FeatureSets, p, file);
    const r = await runGroup(group, input, p, f, progress);
    for (const d of group) out[d.id] = r.results[d.id];
    Object.assign(methods, r.methods);
  }
  const recipe = {
    genbench: VERSION,
    command: 'metrics',
    metrics: descs.map((d) => d.id),
    inputs: { ...loaded.inputs, ...(file === undefined ? {} : { referenceStats: file.record }) },
    params,
    bootstrap: resamplesOf(f) > 0 ? bootstrapRecipe(f, methods) : null,
  };
  if (f.json) return printJson({ ...out, recipe });
  printHuman(out as Record<string, MetricValue>);
}

/** --reference-stats: with --reference R.npy, the rows' statistics; alone, the same as --reference S.npz. */
function referenceStatsFlags(f: MetricsFlags): MetricsFlags {
  if (f.referenceStats === undefined) return f;
  if (f.logits !== undefined || f.probs !== undefined) throw new GenbenchError('USAGE', '--reference-stats: only with feature files (--generated G.npy --reference R.npy)');
  if (f.reference === undefined) {
    const { referenceStats, ...rest } = f;
    return { ...rest, reference: referenceStats };
  }
  if (f.reference.toLowerCase().endsWith('.npz')) throw new GenbenchError('USAGE', '--reference-stats S.npz goes with the reference features (--reference R.npy); --reference S.npz alone gives FD from statistics');
  return f;
}

function inputHint(d: MetricDescriptor): string {
  if (d.input === 'class-scores') return 'needs class scores: use --logits L.npy or --probs P.npy';
  if (d.input === 'image-pairs') return 'compares image pairs: use genbench pixel --a A.npy --b B.npy --range 255';
  if (d.input === 'feature-pairs') return 'compares image pairs through a discriminator: use genbench pixel --a A.npy --b B.npy --range 255 --discriminator D';
  if (d.input === 'discriminator-layers') return 'reads several layers of a discriminator: use genbench evaluate --extractor discriminator:D';
  return 'needs feature files: use --generated G.npy --reference R.npy';
}

/**
 * Parameter values from the generated flags, by group; a flag for a metric not asked for is a USAGE error. --seed
 * sets every asked-for group's `seed` (and the bootstrap's).
 */
function flagParams(f: MetricsFlags, descs: readonly MetricDescriptor[]): Map<string, Record<string, ParamValue>> {
  const out = new Map<string, Record<string, ParamValue>>();
  const set = (group: string, values: MetricParams) => out.set(group, { ...out.get(group), ...values });
  const groups = new Set(descs.map((d) => d.group));
  for (const p of PARAM_FLAGS) {
    const raw = f[camel(p.flag)];
    if (typeof raw !== 'string') continue;
    if (!groups.has(p.group[0]!.group)) {
      throw new GenbenchError('USAGE', `--${p.flag} sets ${p.group.map((d) => d.id).join('/')}'s ${p.name}, but none of them is asked for (${descs.map((d) => d.id).join(', ')}); add one to --metrics or drop the flag`);
    }
    set(p.group[0]!.group, { ...p.spec.requires, [p.name]: flagValue(p, raw) });
  }
  if (f.seed !== undefined) {
    const seed = parseIntFlag('seed', f.seed, { min: 0 });
    for (const d of descs) if ('seed' in d.params) set(d.group, { seed });
  }
  resamplesOf(f);
  return out;
}

/** A flag's text as its parameter's type: integers and numbers checked against the bounds, choices against the list. */
function flagValue(p: ParamFlag, raw: string): ParamValue {
  const { spec } = p;
  if (spec.type === 'int') return parseIntFlag(p.flag, raw, { ...(spec.min === undefined ? {} : { min: spec.min }), ...(spec.max === undefined ? {} : { max: spec.max }) });
  if (spec.type === 'number') {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) throw new GenbenchError('USAGE', `--${p.flag}: expected a number, got '${raw}'`);
    return v;
  }
  if (spec.type === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new GenbenchError('USAGE', `--${p.flag}: expected true or false, got '${raw}'`);
    return raw === 'true';
  }
  if (!spec.choices!.includes(raw)) throw new GenbenchError('USAGE', `--${p.flag}: expected one of ${spec.choices!.join(', ')}, got '${raw}'`);
  return raw;
}

/** Commander's property name of a flag: 'kid-subset-size' -> 'kidSubsetSize'. */
function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Bootstrap resamples from --bootstrap / --no-ci: 0 (none) or at least 2. */
function resamplesOf(f: MetricsFlags): number {
  if (!f.ci) return 0;
  const b = parseIntFlag('bootstrap', f.bootstrap, { min: 0 });
  if (b === 1) throw new GenbenchError('USAGE', '--bootstrap: give 0 (no intervals) or at least 2 resamples, e.g. 200');
  return b;
}

function groupParams(group: readonly MetricDescriptor[], overrides: Map<string, Record<string, ParamValue>>): MetricParams {
  return resolveParams(group, overrides.get(group[0]!.group) ?? {});
}

/** A group's results (with ci95 when bootstrapping) and, per id, how its interval was computed. */
async function runGroup(group: MetricDescriptor[], input: unknown, params: MetricParams, f: MetricsFlags, progress: Progress): Promise<{ results: MetricResults; methods: Record<string, string> }> {
  const d = group[0]!;
  if (resamplesOf(f) === 0) {
    const compute = d.compute as (i: unknown, p: MetricParams, c: { progress: Progress }) => Promise<MetricResults>;
    return { results: await compute(input, params, { progress }), methods: {} };
  }
  const r = await bootstrapGroup(d, input as never, params, {
    resamples: resamplesOf(f),
    seed: f.seed !== undefined ? Number(f.seed) : 0,
    resampleReference: f.bootstrapFixedReference !== true,
    progress,
  });
  const methods: Record<string, string> = {};
  for (const [id, iv] of Object.entries(r.intervals)) methods[id] = `${iv.method}; covers ${iv.covers}${iv.scheme ? `; ${iv.scheme}` : ''}`;
  return { results: withIntervals(r), methods };
}

function bootstrapRecipe(f: MetricsFlags, methods: Record<string, string>) {
  return {
    resamples: resamplesOf(f),
    level: 0.95,
    method: RECENTRED_METHOD,
    methods,
    seed: f.seed !== undefined ? Number(f.seed) : 0,
    resampleReference: f.bootstrapFixedReference !== true,
  };
}

/** A loaded input file as the recipe records it. */
export interface InputRecord {
  readonly path: string;
  readonly sha256: string;
  readonly dtype: string;
  readonly shape: readonly number[];
}

/** Reads a .npy file and its sha256, rejecting an empty array. */
export async function loadNpyInput(path: string): Promise<{ array: NpyArray; record: InputRecord }> {
  const array = await readNpy(path);
  const record = { path: resolve(path), sha256: await sha256File(path), dtype: array.dtype, shape: array.shape };
  if (array.data.length === 0) throw new GenbenchError('INPUT', `${path}: the array is empty (shape (${array.shape.join(', ')}))`);
  return { array, record };
}

/**
 * The header of a [samples, features] float .npy file, checked before any data is read: float dtype, rank 2,
 * >= 2 rows. `what` is 'feature' or 'class-score'.
 *
 * @example
 * await featureHeader('real.npy', 'feature'); // { dtype: 'float32', shape: [2000, 64], ... }
 */
export async function featureHeader(path: string, what: string): Promise<NpyHeader> {
  const h = await readNpyHeader(path);
  if (h.count === 0) throw new GenbenchError('INPUT', `${path}: the array is empty (shape (${h.shape.join(', ')}))`);
  if (!h.dtype.startsWith('float')) {
    throw new GenbenchError('INPUT', `${path}: dtype ${h.dtype} is not a ${what} dtype; save float16, float32 or float64 values`);
  }
  if (h.shape.length !== 2) {
    throw new GenbenchError('INPUT', `${path}: expected a 2-D array [samples, ${what === 'feature' ? 'features' : 'classes'}], got shape (${h.shape.join(', ')})`);
  }
  const rows = h.shape[0]!;
  if (rows < 2) throw new GenbenchError('INPUT', `${path}: ${rows} sample${rows === 1 ? '' : 's'}; at least 2 are needed`);
  return h;
}

/** A [samples, features] float matrix from a .npy file: float dtypes only, rank 2, >= 2 rows, finite. */
async function loadFeatureFile(path: string, what: string): Promise<{ m: Matrix; record: InputRecord }> {
  await featureHeader(path, what);
  const { array, record } = await loadNpyInput(path);
  const [rows, cols] = array.shape as [number, number];
  return { m: toFeatureMatrix(array.data, rows, cols, path), record };
}

async function loadFeatureSets(generated: string, reference: string) {
  // both headers first: a width mismatch fails before either file's data is read
  const [gh, rh] = [await featureHeader(generated, 'feature'), await featureHeader(reference, 'feature')];
  if (gh.shape[1] !== rh.shape[1]) {
    throw new GenbenchError('INPUT', `${generated} has ${gh.shape[1]} features per sample but ${reference} has ${rh.shape[1]}; extract both with the same feature extractor`);
  }
  const g = await loadFeatureFile(generated, 'feature');
  const r = await loadFeatureFile(reference, 'feature');
  return { input: { generated: g.m, reference: r.m }, inputs: { generated: g.record, reference: r.record } };
}

async function loadClassScores(f: MetricsFlags) {
  const kind = f.logits !== undefined ? 'logits' : 'probs';
  const path = (f.logits ?? f.probs)!;
  const { m, record } = await loadFeatureFile(path, 'class-score');
  return { input: { generated: m, kind }, inputs: { [kind]: record } };
}

/** The human summary: one line per metric. */
export function printHuman(out: Record<string, MetricValue>): void {
  for (const [id, v] of Object.entries(out)) {
    const std = v.std !== undefined ? ` ± ${fmt(v.std)}` : '';
    const ci = v.ci95 !== undefined ? `  ci95 [${fmt(v.ci95[0])}, ${fmt(v.ci95[1])}]` : '';
    printLine(`${id.padEnd(10)} ${fmt(v.value)}${std}${ci}`);
  }
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(6) : String(x);
}
