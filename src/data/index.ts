import { stat } from 'node:fs/promises';
import { GenbenchError } from '../errors.js';
import { openImageFolder, type ImageFolderOptions } from './image-folder.js';
import { fashionMnist } from './fashion-mnist.js';
import { mnist } from './mnist.js';
import { pneumoniamnist, pneumoniamnistFull } from './medmnist.js';
import { openNpzDataset } from './npz.js';
import { polygons } from './polygons.js';
import type { Dataset } from './types.js';

/**
 * The built-in datasets (a frozen Map built here; adding one is its file plus one line).
 */
export const DATASETS: ReadonlyMap<string, Dataset> = Object.freeze(
  new Map<string, Dataset>([
    ['mnist', mnist],
    ['fashion-mnist', fashionMnist],
    ['pneumoniamnist', pneumoniamnist],
    ['pneumoniamnist-full', pneumoniamnistFull],
    ['polygons', polygons],
  ]),
);

/**
 * A built-in dataset by name; an unknown name is a USAGE error listing the valid ones.
 *
 * @example
 * getDataset('mnist').shape; // { height: 28, width: 28, channels: 1 }
 */
export function getDataset(name: string): Dataset {
  const ds = DATASETS.get(name);
  if (!ds) {
    throw new GenbenchError('USAGE', `unknown dataset '${name}'; built-in datasets are ${[...DATASETS.keys()].join(', ')} (or give a folder of images or an .npz file)`);
  }
  return ds;
}

/**
 * A built-in dataset name, a folder of PNG/JPEG images, or a path to an `.npz` file, as a Dataset. Folder options
 * (resize, channels) apply to folders only.
 *
 * @example
 * await openDataset('polygons');                          // built-in
 * await openDataset('./samples', { resize: parseResize('28x28', 'area') }); // folder, one split 'all'
 * await openDataset('data/my.npz');                      // splits from <split>_images.npy members
 */
export async function openDataset(nameOrPath: string, opts: ImageFolderOptions = {}): Promise<Dataset> {
  const builtin = DATASETS.get(nameOrPath);
  if (builtin) return builtin;
  let isDir: boolean;
  try {
    isDir = (await stat(nameOrPath)).isDirectory();
  } catch {
    if (nameOrPath.includes('/') || nameOrPath.includes('.')) {
      throw new GenbenchError('NOT_FOUND', `${nameOrPath}: no such file or folder (and not a built-in dataset: ${[...DATASETS.keys()].join(', ')})`);
    }
    return getDataset(nameOrPath);
  }
  if (isDir) return openImageFolder(nameOrPath, opts);
  if (nameOrPath.toLowerCase().endsWith('.npz')) return openNpzDataset(nameOrPath);
  throw new GenbenchError('USAGE', `${nameOrPath}: expected a built-in dataset name, a folder of images or an .npz file`);
}

export type { Dataset, DatasetSplit, ImageShape, LoadOptions, SourceFile, SplitInfo } from './types.js';
export type { ImageFolderOptions } from './image-folder.js';
export { parseSplitExpr, resolveSlice, sliceSplit, splitPermutation, splitRowIndices } from './split-spec.js';
export { generatePolygons } from './polygons.js';
export { parseIdx, readIdxPair } from './idx.js';
export { parseNpz } from './npz.js';
