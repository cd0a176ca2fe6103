import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { resolveAsset } from '../assets/index.js';
import { GenbenchError } from '../errors.js';
import { RESIZE_FILTERS, type ResizeFilter } from '../io/image-codec.js';
import type { ImageBatchU8 } from '../io/image.js';
import { readNifti, type NiftiVolume } from './nifti.js';
import { slicePairs, type PairedDataset, type PairedSplit } from './paired.js';
import { requireSplit } from './split-spec.js';
import type { LoadOptions, SourceFile } from './types.js';
import { labelCount, planeGeometry, volumeSlices, windowBounds, type Fit, type IntensityWindow, type Plane } from './volume-slices.js';
import { parseWith } from '../io/zod-message.js';

/**
 * A volume translation task: two volumes on one grid (same dims, same affine within 1e-3 mm), 2-D slices of both
 * along a plane (volume-slices.ts), split into `train` and `test` by slice: every `test.every`-th slice of the range,
 * starting at `test.offset`, is a test slice and the rest are training slices. The whole protocol (plane, slice
 * range, split rule, size, filter, fit, windows) is data: a built-in task is a spec here, and a user writes the same
 * spec as JSON (volume paths relative to the JSON file):
 *
 *   {"name": "my-task", "source": "t1.nii.gz", "target": "t2.nii.gz", "plane": "axial", "slices": [20, 150],
 *    "test": {"every": 5, "offset": 0}, "size": [64, 64], "filter": "area", "fit": "pad-square",
 *    "window": {"source": {"kind": "percentile", "low": 0.5, "high": 99.5, "of": "source"},
 *               "target": {"kind": "level", "level": 40, "width": 400}}}
 *
 * @example
 * const task = await openVolumeTask('my-task.json');
 * (await task.load('test')).source.n; // 26
 */
const positiveInt = z.number().int().positive();

const WindowSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('percentile'), low: z.number().min(0).max(100), high: z.number().min(0).max(100), of: z.enum(['source', 'target']) }),
  z.object({ kind: z.literal('level'), level: z.number(), width: z.number().positive() }),
  z.object({ kind: z.literal('range'), min: z.number(), max: z.number() }),
  z.object({ kind: z.literal('labels') }),
]);

export const VolumeTaskSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  license: z.string().optional(),
  source: z.string().min(1),
  target: z.string().min(1),
  plane: z.enum(['axial', 'coronal', 'sagittal']),
  /** Slice indices [from, to) along the plane's normal (default: every slice). */
  slices: z.tuple([z.number().int().nonnegative(), positiveInt]).optional(),
  test: z.object({ every: z.number().int().min(2), offset: z.number().int().nonnegative() }),
  size: z.tuple([positiveInt, positiveInt]),
  filter: z.enum(RESIZE_FILTERS as [ResizeFilter, ...ResizeFilter[]]).default('area'),
  fit: z.enum(['pad-square', 'stretch']).default('pad-square'),
  window: z.object({ source: WindowSchema, target: WindowSchema }),
});

export type VolumeTaskSpec = z.input<typeof VolumeTaskSchema>;

/** Where a task's volumes are: asset ids (built-in tasks) or paths. */
export interface VolumeFiles {
  resolve(opts: LoadOptions): Promise<{ source: SourceFile; target: SourceFile }>;
}

/**
 * A task from its spec and the way to find its volumes.
 *
 * @example
 * volumeTask(spec, assetVolumes('datasets/colin27/ch2.nii.gz', 'datasets/colin27/ch2bet.nii.gz'));
 */
export function volumeTask(raw: VolumeTaskSpec, files: VolumeFiles, where = raw.name): PairedDataset {
  const spec = parseSpec(raw, where);
  let loaded: Promise<Loaded> | undefined;
  const get = (opts: LoadOptions) => (loaded ??= loadVolumes(spec, files, opts).catch((e) => {
    loaded = undefined;
    throw e;
  }));
  const protocol = protocolOf(spec);
  const counts = spec.slices === undefined ? undefined : splitSlices(spec, spec.slices[1]);
  const splits = ['train', 'test'].map((name) => ({ name, ...(counts === undefined ? {} : { count: counts[name as 'train' | 'test'].length }) }));
  return {
    name: spec.name,
    description: spec.description ?? `volume task ${spec.name}: ${spec.plane} slices of ${spec.source} -> ${spec.target}`,
    license: spec.license ?? 'unknown (user-provided volumes)',
    splits,
    protocol,
    async load(split: string, opts: LoadOptions = {}): Promise<PairedSplit> {
      const info = requireSplit(spec.name, splits, split);
      const v = await get(opts);
      const indices = splitSlices(spec, v.count)[info.name as 'train' | 'test'];
      const size = (side: 'source' | 'target') => ({ height: spec.size[0], width: spec.size[1], filter: filterOf(spec, side) });
      const source: ImageBatchU8 = volumeSlices(v.source, v.geometry, indices, v.windows.source, size('source'), spec.fit as Fit);
      const target: ImageBatchU8 = volumeSlices(v.target, v.geometry, indices, v.windows.target, size('target'), spec.fit as Fit);
      const full: PairedSplit = {
        source: { ...source, range: [0, 255] },
        target: { ...target, range: [0, 255] },
        split: info.name,
        names: indices.map((k) => `slice ${k}`),
        files: [v.files.source, v.files.target],
        preprocessing: { ...protocol, normalAxis: v.geometry.normal, sourceWindow: v.windows.source.join('..'), targetWindow: v.windows.target.join('..') },
        ...(v.labels.target === undefined ? {} : { segmentation: { labels: v.labels.target } }),
      };
      return slicePairs(full, split);
    },
  };
}

type Spec = z.output<typeof VolumeTaskSchema>;

interface Loaded {
  readonly source: NiftiVolume;
  readonly target: NiftiVolume;
  readonly geometry: ReturnType<typeof planeGeometry>;
  readonly count: number;
  readonly windows: { readonly source: [number, number]; readonly target: [number, number] };
  /** The largest label of a side windowed as `labels`. */
  readonly labels: { readonly source: number | undefined; readonly target: number | undefined };
  readonly files: { readonly source: SourceFile; readonly target: SourceFile };
}

function parseSpec(raw: unknown, where: string): Spec {
  const s = parseWith(VolumeTaskSchema, raw, where, 'fix the task spec');
  if (s.slices !== undefined && s.slices[1] <= s.slices[0]) throw new GenbenchError('INPUT', `${where}: field 'slices' [${s.slices.join(', ')}] selects no slice; give [from, to) with from < to`);
  if (s.test.offset >= s.test.every) throw new GenbenchError('INPUT', `${where}: field 'test.offset' ${s.test.offset} must be below test.every ${s.test.every}`);
  return s;
}

async function loadVolumes(spec: Spec, files: VolumeFiles, opts: LoadOptions): Promise<Loaded> {
  const f = await files.resolve(opts);
  const source = await readNifti(f.source.path);
  const target = await readNifti(f.target.path);
  checkSameGrid(source, target);
  const geometry = planeGeometry(source, spec.plane as Plane);
  if (spec.slices !== undefined && spec.slices[1] > geometry.count) {
    throw new GenbenchError('INPUT', `${spec.name}: field 'slices' [${spec.slices.join(', ')}] goes past the ${geometry.count} ${spec.plane} slices of ${source.path}`);
  }
  const volumes = { source, target };
  const labels = { source: spec.window.source.kind === 'labels' ? labelCount(source) : undefined, target: spec.window.target.kind === 'labels' ? labelCount(target) : undefined };
  const bounds = (w: IntensityWindow) => windowBounds(w, volumes);
  const same = JSON.stringify(spec.window.source) === JSON.stringify(spec.window.target);
  const sourceWindow = bounds(spec.window.source as IntensityWindow);
  const windows = { source: sourceWindow, target: same ? sourceWindow : bounds(spec.window.target as IntensityWindow) };
  return { source, target, geometry, count: geometry.count, windows, labels, files: { source: { ...f.source, sha256: source.sha256 }, target: { ...f.target, sha256: target.sha256 } } };
}

/** Same dims and the same affine (within 1e-3 mm per entry): else one INPUT line naming both files. */
export function checkSameGrid(a: NiftiVolume, b: NiftiVolume): void {
  if (a.dims.join() !== b.dims.join()) {
    throw new GenbenchError('INPUT', `${b.path}: grid ${b.dims.join('x')} differs from ${a.path} (${a.dims.join('x')}); a volume pair needs one grid (resample one onto the other first)`);
  }
  const worst = Math.max(...a.affine.flatMap((row, r) => row.map((v, c) => Math.abs(v - b.affine[r]![c]!))));
  if (!(worst <= 1e-3)) {
    const fmt = (v: NiftiVolume) => v.affine.map((row) => row.map((x) => +x.toFixed(3)).join(' ')).join('; ');
    throw new GenbenchError('INPUT', `${b.path}: affine [${fmt(b)}] differs from ${a.path} [${fmt(a)}] by up to ${worst.toPrecision(3)} mm; a volume pair needs one grid (resample one onto the other first)`);
  }
}

/** Slice indices of each split: the range, every k-th from the offset for test, the rest for train. */
function splitSlices(spec: Spec, count: number): { train: number[]; test: number[] } {
  const [from, to] = spec.slices ?? [0, count];
  const train: number[] = [];
  const test: number[] = [];
  for (let k = from; k < to; k++) ((k - from) % spec.test.every === spec.test.offset ? test : train).push(k);
  return { train, test };
}

/** The resize filter of a side: `nearest` for a label map (labels are never interpolated), else the spec's. */
function filterOf(s: Spec, side: 'source' | 'target'): ResizeFilter {
  return s.window[side].kind === 'labels' ? 'nearest' : (s.filter as ResizeFilter);
}

function windowText(w: Spec['window']['source']): string {
  if (w.kind === 'percentile') return `percentiles ${w.low}..${w.high} of the ${w.of} volume`;
  if (w.kind === 'level') return `level ${w.level} width ${w.width}`;
  if (w.kind === 'labels') return 'labels: each voxel\'s integer label as its value (0 background), no window';
  return `range ${w.min}..${w.max}`;
}

function protocolOf(s: Spec): Record<string, string | number> {
  return {
    plane: s.plane,
    slices: s.slices === undefined ? 'all' : `${s.slices[0]}..${s.slices[1] - 1}`,
    test: `every ${s.test.every}th slice from ${(s.slices?.[0] ?? 0) + s.test.offset}; train: the others`,
    size: `${s.size[0]}x${s.size[1]}`,
    filter: s.filter,
    ...(s.window.source.kind === 'labels' || s.window.target.kind === 'labels' ? { labelFilter: 'nearest (the labelled side is never interpolated)' } : {}),
    fit: s.fit,
    sourceWindowRule: windowText(s.window.source),
    targetWindowRule: windowText(s.window.target),
    windowing: 'u8 = round-half-even(255 clip((v - lo) / (hi - lo), 0, 1)), then the fit and the resize',
    orientation: 'neurological: subject right on the image right; anterior (axial) or superior (coronal, sagittal) at the top',
  };
}

/**
 * Volumes as registered assets (checked against their sha256 on load).
 *
 * @example
 * assetVolumes('datasets/colin27/ch2.nii.gz', 'datasets/colin27/ch2bet.nii.gz');
 */
export function assetVolumes(source: string, target: string): VolumeFiles {
  return {
    async resolve(opts) {
      const ro = { ...(opts.progress ? { progress: opts.progress } : {}), ...(opts.offline ? { offline: true } : {}) };
      const [s, t] = [await resolveAsset(source, ro), await resolveAsset(target, ro)];
      return { source: { id: source, path: s.path, sha256: s.sha256 }, target: { id: target, path: t.path, sha256: t.sha256 } };
    },
  };
}

/**
 * A task spec from a JSON file; its volume paths are relative to the file.
 *
 * @example
 * await openVolumeTask('tasks/t1-t2.json');
 */
export async function openVolumeTask(path: string): Promise<PairedDataset> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new GenbenchError(code === undefined ? 'INPUT' : 'NOT_FOUND', `${path}: ${code === undefined ? 'not valid JSON' : `cannot read the task spec (${code})`}`);
  }
  const base = dirname(path);
  const rel = raw as { source?: unknown; target?: unknown };
  const files: VolumeFiles = {
    async resolve() {
      const p = (v: unknown) => resolve(base, String(v));
      return { source: { path: p(rel.source), sha256: '' }, target: { path: p(rel.target), sha256: '' } };
    },
  };
  return volumeTask(raw as VolumeTaskSpec, files, path);
}
