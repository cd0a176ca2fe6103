import { basename } from 'node:path';
import { GenbenchError } from '../errors.js';
import type { ValueRange } from '../io/image.js';
import { loadImageSet, type ImageSet } from './image-set.js';
import { takePairRows, type PairImages } from './paired.js';
import { formatSplit, requireSplit, resolveSlice, splitRowIndices } from './split-spec.js';
import type { LoadOptions, SourceFile, SplitInfo } from './types.js';

/**
 * Unpaired data for image-to-image translation: images of a source domain and images of a target domain, with no
 * correspondence between them (normal to pneumonia chest X-rays, photos to paintings). A translator maps each
 * source image into the target domain; its outputs are compared with the target images as a set (features), and
 * with their own inputs one by one (content preservation). Unpaired data comes from
 * - a built-in task (paired-tasks.ts UNPAIRED_TASKS): e.g. the two classes of a labelled dataset's split;
 * - `--source S --target T`: two image sets as `genbench evaluate --generated` reads them (data/image-set.ts: a
 *   folder of PNG/JPEG, a .zip of them, a .npy or a .npz of images), each side of its own size; one split `all`.
 * A split expression applies to each side on its own rows (`test[:100]`: the first 100 source images and the first
 * 100 target images).
 *
 * @example
 * const u = await openUnpaired('normal/', 'pneumonia/');
 * const s = await u.load('all');
 * s.source.n; s.target.n; // 120 85
 */
export interface UnpairedSplit {
  readonly source: PairImages;
  readonly target: PairImages;
  /** The normalised split expression (each side's, when they differ: 'test | test[0:200]'). */
  readonly split: string;
  readonly files: readonly SourceFile[];
  /** How the two sides were chosen (a task's protocol, the image sets' details), for recipes. */
  readonly preprocessing?: Readonly<Record<string, string | number>>;
}

/** A classifier that tells the target domain, for the share of outputs it assigns to the target class. */
export interface DomainClassifier {
  /** Extractor id with a `softmax` layer, e.g. 'classifier:pneumoniamnist'. */
  readonly extractor: string;
  /** Label (softmax index) of the target domain. */
  readonly targetLabel: number;
  readonly targetClass: string;
  /** The classifier's input size, when known before it is opened: images of another aspect ratio are refused. */
  readonly input?: { readonly height: number; readonly width: number };
}

export interface UnpairedDataset {
  readonly name: string;
  readonly description: string;
  readonly license: string;
  readonly splits: readonly SplitInfo[];
  readonly protocol?: Readonly<Record<string, string | number>>;
  /** The target-domain classifier genbench has for this data, when it has one. */
  readonly classifier?: DomainClassifier;
  load(split: string, opts?: LoadOptions): Promise<UnpairedSplit>;
}

/** Options of openUnpaired. */
export interface UnpairedOptions {
  /** Value range of float arrays (quantised to uint8 as generated samples are); uint8 and image files need none. */
  readonly range?: ValueRange;
  /** The flag that gives `range`, for messages. */
  readonly rangeFlag?: string;
}

/**
 * Two image sets as an UnpairedDataset (one split, `all`).
 *
 * @example
 * await openUnpaired('a.npz', 'b/');
 */
export async function openUnpaired(source: string, target: string, opts: UnpairedOptions = {}): Promise<UnpairedDataset> {
  const read = (p: string) => loadImageSet(p, { ...(opts.range === undefined ? {} : { range: opts.range }), ...(opts.rangeFlag === undefined ? {} : { rangeFlag: opts.rangeFlag }) });
  const [s, t] = [await read(source), await read(target)];
  const splits: SplitInfo[] = [{ name: 'all', count: s.images.n }];
  const name = `${basename(s.path)} -> ${basename(t.path)}`;
  return {
    name,
    description: `unpaired images ${source} (${s.images.n}) -> ${target} (${t.images.n})`,
    license: 'unknown (user-provided data)',
    splits,
    async load(split: string): Promise<UnpairedSplit> {
      requireSplit(name, splits, split);
      const files = [...fileList(s, source), ...fileList(t, target)];
      const preprocessing = { source: describe(s), target: describe(t) };
      return sliceUnpaired({ source: side(s), target: side(t), split: 'all', files, preprocessing }, split);
    },
  };
}

function side(set: ImageSet): PairImages {
  return { ...set.images, range: [0, 255] };
}

function fileList(set: ImageSet, given: string): SourceFile[] {
  return Object.values(set.files).map((sha256) => ({ path: given, sha256 }));
}

function describe(set: ImageSet): string {
  return Object.entries(set.details).map(([k, v]) => `${k} ${v}`).join(', ');
}

/**
 * A split expression applied to each side of unpaired data on its own rows.
 *
 * @example
 * sliceUnpaired(full, 'all[:8]').target.n; // 8 (or fewer when the target side holds fewer)
 */
export function sliceUnpaired(full: UnpairedSplit, expr: string): UnpairedSplit {
  const cut = (b: PairImages) => {
    const { name, shuffle, start, stop } = resolveSlice(expr, b.n);
    const images = shuffle === undefined && start === 0 && stop === b.n ? b : takePairRows(b, splitRowIndices(expr, b.n));
    return { images, split: formatSplit(name, start, stop, b.n, shuffle) };
  };
  const [s, t] = [cut(full.source), cut(full.target)];
  if (s.images.n === 0 || t.images.n === 0) throw new GenbenchError('USAGE', `split '${expr}': selects ${s.images.n} source and ${t.images.n} target images; both sides need at least one`);
  return { ...full, source: s.images, target: t.images, split: s.split === t.split ? s.split : `${s.split} | ${t.split}` };
}
