import type { ImageBatchU8 } from '../io/image.js';
import type { Progress } from '../progress.js';

/**
 * The Dataset interface: every image source genbench evaluates against (built-in datasets, a folder of images, an
 * `.npz` file) looks the same to the harness. Images are NHWC uint8; labels, when present, index `classNames`.
 *
 * @example
 * const ds = getDataset('mnist');
 * const test = await ds.load('test[:8000]');
 * test.images.n;            // 8000
 * test.source.files[0];     // { id: 'datasets/mnist/t10k-images-idx3-ubyte.gz', path: '...', sha256: '0fa7...' }
 */
export interface Dataset {
  /** Registry name ('mnist') or the path the dataset was opened from. */
  readonly name: string;
  readonly description: string;
  /** Licence and provenance in one line. */
  readonly license: string;
  /** Named splits, in their canonical order; `count` is given where it is known without loading. */
  readonly splits: readonly SplitInfo[];
  /** Shape of every image. */
  readonly shape: ImageShape;
  /** Class names, indexed by label, when the dataset is labelled. */
  readonly classNames?: readonly string[];
  /**
   * Loads a split by expression: a split name, optionally sliced as in Python (`test[:8000]`, `train[-100:]`).
   * Throws USAGE for an unknown split or a bad slice, NOT_FOUND / INPUT / NETWORK for missing or broken files.
   */
  load(split: string, opts?: LoadOptions): Promise<DatasetSplit>;
  /** Whether the split's files are on this machine (no download needed). Never touches the network. */
  available(split: string): Promise<boolean>;
}

export interface ImageShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export interface SplitInfo {
  readonly name: string;
  /** Number of images, when known without loading. */
  readonly count?: number;
  /** A remark shown by `genbench datasets` (e.g. 'generated, no download'). */
  readonly note?: string;
  /** Approximate size of the files to download when the split is not on this machine. */
  readonly downloadBytes?: number;
}

export interface LoadOptions {
  readonly progress?: Progress;
  /** Never touch the network: a split that needs a download fails with NOT_FOUND. */
  readonly offline?: boolean;
}

/** One file a split was read from, for recipes. */
export interface SourceFile {
  /** Asset id ('datasets/mnist/t10k-labels-idx1-ubyte.gz') for registered assets. */
  readonly id?: string;
  /** Path on this machine. */
  readonly path: string;
  /** sha256 (hex) of the file's bytes. */
  readonly sha256: string;
}

export interface DatasetSplit {
  readonly images: ImageBatchU8;
  /** One label per image (indices into Dataset.classNames), when the dataset is labelled. */
  readonly labels?: Int32Array;
  /** The split expression that was loaded, normalised (e.g. 'test[0:8000]'). */
  readonly split: string;
  /**
   * sha256 of the row indices kept when only some rows of `split` are held (the evaluation's seeded random
   * reference subset); absent when every row is. Part of the feature cache key.
   */
  readonly rows?: string;
  readonly source: {
    readonly files: readonly SourceFile[];
    /** Preprocessing applied while loading (resize and filter, channel conversion, generator seed), for recipes. */
    readonly preprocessing?: Readonly<Record<string, string | number>>;
  };
}
