import { asDisplay, sideBySide, TILE_PADDING } from '../data/pair-grid.js';
import type { PairImages } from '../data/paired.js';
import type { SourceFile } from '../data/types.js';
import { openTranslationTask, PAIRED_TASKS, UNPAIRED_TASKS } from '../data/paired-tasks.js';
import { pickImages } from '../data/summary.js';
import { writeGridPng } from '../io/png.js';
import { Rng } from '../rng.js';
import { log, printJson, printLine } from './output.js';
import { stderrProgress } from './progress-bar.js';

/**
 * `genbench datasets show TASK`: a translation task (a built-in one, or a volume task spec .json): its protocol
 * (plane, slice range, split rule, size, filter, windows; a degradation model), its splits, the chosen split's pairs
 * (count, shapes, pixel means, source files with sha256), and with --grid a PNG of source | target pairs (label-map
 * targets of a segmentation task in the categorical colour map of io/label-colours.ts). An
 * unpaired task shows both domains' counts; its grid tiles put the i-th source image beside the i-th target image,
 * which are not pairs.
 *
 * @example
 * genbench datasets show colin27-t1-bet --grid pairs.png   # 16 axial source | target pairs of the test split
 */
export interface PairedShowOptions {
  readonly split?: string;
  readonly grid?: string;
  readonly n: number;
  readonly seed?: number;
  readonly quiet?: boolean;
  readonly offline?: boolean;
  readonly json?: boolean;
}

/** Whether `datasets show` reads this name as a translation task. */
export function isTaskName(name: string): boolean {
  return PAIRED_TASKS.has(name) || UNPAIRED_TASKS.has(name) || name.toLowerCase().endsWith('.json');
}

export async function showTask(name: string, o: PairedShowOptions): Promise<void> {
  const progress = stderrProgress({ quiet: o.quiet ?? false });
  const { kind, task } = await openTranslationTask(name);
  const split = o.split ?? 'test';
  const pairs: { source: PairImages; target: PairImages; split: string; names?: readonly string[]; files: readonly SourceFile[]; preprocessing?: Readonly<Record<string, string | number>>; segmentation?: { readonly labels: number } } =
    await task.load(split, { progress, ...(o.offline ? { offline: true } : {}) });
  const what = kind === 'paired' ? 'pairs' : 'images of the two domains, side by side for display only (not pairs)';
  let grid: { path: string; n: number; seed?: number } | undefined;
  if (o.grid !== undefined) {
    const tiles = sideBySide([asDisplay(pairs.source), asDisplay(pairs.target, { labels: pairs.segmentation !== undefined })], pairs.source.n);
    const pick = pickImages(tiles, o.n, o.seed === undefined ? undefined : new Rng(o.seed));
    await writeGridPng(o.grid, pick, { columns: Math.ceil(Math.sqrt(pick.n)), padding: TILE_PADDING, scale: tiles.height < 48 ? 2 : 1 });
    grid = { path: o.grid, n: pick.n, ...(o.seed === undefined ? {} : { seed: o.seed }) };
    log(`wrote ${o.grid} (${pick.n} source | target ${what})`);
  }
  const side = (s: PairImages) => ({ shape: [s.height, s.width, s.channels], dtype: s.data instanceof Uint8Array ? 'uint8' : 'float', range: s.range, mean: mean(s.data) });
  const report = {
    task: task.name,
    kind,
    description: task.description,
    license: task.license,
    splits: task.splits,
    ...(task.protocol === undefined ? {} : { protocol: task.protocol }),
    split: pairs.split,
    count: pairs.source.n,
    ...(kind === 'unpaired' ? { targetCount: pairs.target.n } : {}),
    source: side(pairs.source),
    target: side(pairs.target),
    ...(pairs.preprocessing === undefined ? {} : { loading: pairs.preprocessing }),
    ...(pairs.names === undefined ? {} : { pairs: pairs.names }),
    files: pairs.files,
    ...(grid ? { grid } : {}),
  };
  if (o.json) return printJson(report);
  printLine(`${task.name}: ${task.description}`);
  printLine(`licence: ${task.license}`);
  printLine(`splits: ${task.splits.map((s) => `${s.name} ${s.count ?? '?'}`).join(', ')}`);
  for (const [k, v] of Object.entries(pairs.preprocessing ?? task.protocol ?? {})) printLine(`  ${k}: ${v}`);
  const counted = kind === 'paired' ? `${pairs.source.n} pairs` : `${pairs.source.n} source and ${pairs.target.n} target images (unpaired)`;
  printLine(`split ${pairs.split}: ${counted}, source ${report.source.shape.join('x')} (mean ${report.source.mean.toFixed(2)}), target ${report.target.shape.join('x')} (mean ${report.target.mean.toFixed(2)})`);
  for (const f of pairs.files) printLine(`source: ${f.path} sha256 ${f.sha256}`);
}

function mean(d: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i]!;
  return d.length === 0 ? 0 : s / d.length;
}
