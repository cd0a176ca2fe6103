import { Command } from 'commander';
import { DATASETS, openDataset, type Dataset } from '../data/index.js';
import { taskNames } from '../data/paired-tasks.js';
import { parseSplitExpr } from '../data/split-spec.js';
import { pickImages, summarizeSplit, type SplitSummary } from '../data/summary.js';
import type { ImageFolderOptions } from '../data/image-folder.js';
import { GenbenchError } from '../errors.js';
import type { ResizeSpec } from '../io/image-codec.js';
import { writeGridPng } from '../io/png.js';
import { Rng } from '../rng.js';
import { isTaskName, showTask } from './datasets-paired.js';
import { checkOutputs, log, parseIntFlag, printJson, printLine } from './output.js';
import { stderrProgress } from './progress-bar.js';
import { parseResizeFlags, requireResizable, resizeOptions } from './resize-flags.js';

/**
 * `genbench datasets list|show`: what datasets exist, and what one split holds (counts, pixel statistics, label
 * histogram, source files with sha256, an optional PNG grid). JSON on stdout with --json; logs on stderr.
 */
export function datasetsCommand(): Command {
  const cmd = new Command('datasets').description('list the built-in datasets and inspect a dataset, image folder or .npz');
  cmd
    .command('list')
    .description('list the built-in datasets with their splits, shape, licence and local availability')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: { json?: boolean }) => listAction(opts));
  resizeOptions(cmd.command('show'))
    .description('show counts, pixel statistics, label histogram and source files of a dataset split')
    .argument('<dataset>', `built-in name (${[...DATASETS.keys()].join(', ')}), a translation task (${taskNames().join(', ')} or a task spec .json: source | target images), a folder of PNG/JPEG images, or an .npz file`)
    .option('--split <expr>', "split, optionally sliced: test, test[:8000], train[-100:] (default: 'test' if present, else the first)")
    .option('--grid <file.png>', 'write a PNG grid of images from the split')
    .option('--n <count>', 'images in the grid', '64')
    .option('--seed <int>', 'grid shows a seeded random sample instead of the first images')
    .option('--channels <1|3>', 'image folders: 1 (gray, BT.601 luma) or 3 (RGB); default from the files')
    .option('--offline', 'never download (also GENBENCH_OFFLINE=1)')
    .option('--quiet', 'no progress bar')
    .option('--json', 'machine-readable output on stdout')
    .action(async (dataset: string, opts: ShowOptions) => showAction(dataset, opts));
  return cmd;
}

interface ShowOptions {
  split?: string;
  grid?: string;
  n: string;
  seed?: string;
  resize?: string;
  filter?: string;
  channels?: string;
  offline?: boolean;
  quiet?: boolean;
  json?: boolean;
}

async function splitTable(ds: Dataset) {
  return Promise.all(
    ds.splits.map(async (s) => {
      const available = await ds.available(s.name);
      const size = s.downloadBytes === undefined ? '' : ` of about ${(s.downloadBytes / 1e6).toFixed(1)} MB`;
      const note = available ? s.note : `not on this machine: needs a download${size} on first use`;
      return { name: s.name, count: s.count ?? null, available, ...(note ? { note } : {}) };
    }),
  );
}

async function listAction(opts: { json?: boolean }): Promise<void> {
  const rows = [];
  for (const ds of DATASETS.values()) {
    const { height, width, channels } = ds.shape;
    rows.push({ name: ds.name, description: ds.description, license: ds.license, shape: [height, width, channels], splits: await splitTable(ds) });
  }
  if (opts.json) return printJson(rows);
  for (const r of rows) {
    const splits = r.splits.map((s) => `${s.name} ${s.count ?? '?'}${s.available ? '' : ' (download)'}`).join(', ');
    printLine(`${r.name.padEnd(20)} ${r.shape.join('x').padEnd(9)} ${splits}`);
    printLine(`${''.padEnd(20)} ${r.description}; ${r.license}`);
  }
}

function folderOptions(o: ShowOptions): ImageFolderOptions {
  const out: { resize?: ResizeSpec; channels?: 1 | 3 } = {};
  const resize = parseResizeFlags(o);
  if (resize !== undefined) out.resize = resize;
  if (o.channels !== undefined) {
    if (o.channels !== '1' && o.channels !== '3') throw new GenbenchError('USAGE', `--channels: expected 1 or 3, got '${o.channels}'`);
    out.channels = o.channels === '1' ? 1 : 3;
  }
  return out;
}

async function showAction(name: string, o: ShowOptions): Promise<void> {
  const n = parseIntFlag('n', o.n, { min: 1, max: 100000 });
  const seed = o.seed === undefined ? undefined : parseIntFlag('seed', o.seed, { min: 0, max: 0xffffffff });
  if (isTaskName(name)) {
    if (o.resize !== undefined || o.channels !== undefined) throw new GenbenchError('USAGE', `--resize and --channels apply to image folders only; '${name}' is a translation task (its size is in its protocol)`);
    await checkOutputs({ '--grid': o.grid });
    const offline = o.offline === true || process.env['GENBENCH_OFFLINE'] === '1';
    return showTask(name, { n, ...(seed === undefined ? {} : { seed }), ...(o.split === undefined ? {} : { split: o.split }), ...(o.grid === undefined ? {} : { grid: o.grid }), quiet: o.quiet === true, offline, json: o.json === true });
  }
  if (DATASETS.has(name) && (o.resize !== undefined || o.channels !== undefined)) {
    throw new GenbenchError('USAGE', `--resize and --channels apply to image folders only; '${name}' is a built-in dataset (drop the flag)`);
  }
  const folder = folderOptions(o);
  await requireResizable(folder.resize, { '<dataset>': { path: name, zip: false } });
  await checkOutputs({ '--grid': o.grid });
  const progress = stderrProgress({ quiet: o.quiet ?? false });
  const ds = await openDataset(name, { ...folder, progress });
  const split = o.split ?? (ds.splits.some((s) => s.name === 'test') ? 'test' : ds.splits[0]!.name);
  parseSplitExpr(split);
  const offline = o.offline === true || process.env['GENBENCH_OFFLINE'] === '1';
  const loaded = await ds.load(split, { progress, ...(offline ? { offline } : {}) });
  const summary = summarizeSplit(loaded, ds.classNames);
  let grid: { path: string; n: number; seed?: number } | undefined;
  if (o.grid !== undefined) {
    const pick = pickImages(loaded.images, n, seed === undefined ? undefined : new Rng(seed));
    await writeGridPng(o.grid, pick, { scale: loaded.images.height < 64 ? 2 : 1 });
    grid = { path: o.grid, n: pick.n, ...(seed === undefined ? {} : { seed }) };
    log(`wrote ${o.grid} (${pick.n} images)`);
  }
  const report = {
    dataset: ds.name,
    description: ds.description,
    license: ds.license,
    splits: await splitTable(ds),
    ...summary,
    ...(ds.classNames ? { classNames: ds.classNames } : {}),
    source: loaded.source,
    ...(grid ? { grid } : {}),
  };
  if (o.json) printJson(report);
  else printHuman(report, summary);
}

function printHuman(r: { dataset: string; description: string; license: string; splits: Awaited<ReturnType<typeof splitTable>>; source: { files: readonly { path: string; sha256: string }[] } }, s: SplitSummary): void {
  printLine(`${r.dataset}: ${r.description}`);
  printLine(`licence: ${r.license}`);
  printLine(`splits: ${r.splits.map((x) => `${x.name} ${x.count ?? '?'}${x.available ? '' : ' (needs a download)'}`).join(', ')}`);
  printLine(`split ${s.split}: ${s.count} images ${s.shape.join('x')} ${s.dtype}`);
  printLine(`pixels: mean ${s.pixels.mean.toFixed(3)} std ${s.pixels.std.toFixed(3)} min ${s.pixels.min} max ${s.pixels.max} (0..255)`);
  if (s.labels) printLine(`labels: ${s.labels.map((l) => `${l.name}=${l.count}`).join(' ')}`);
  for (const f of r.source.files) printLine(`source: ${f.path} sha256 ${f.sha256}`);
}
