import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { GenbenchError } from '../errors.js';
import { parseResize, RESIZE_FILTERS, type ResizeSpec } from '../io/image-codec.js';

/**
 * `--resize HxW` and `--filter NAME`, the same on every command that reads image files: every image of each image
 * folder (and `.zip` of images) the command reads is resized to HxW with the filter (io/image-codec.ts resizeImage,
 * the one resize genbench has), which a folder of images of several sizes needs. Arrays (.npy, .npz) and built-in
 * datasets are read as they are. The resize is recorded with the images (a report's recipe, the feature cache key).
 *
 * @example
 * resizeOptions(new Command('features')); // adds --resize <HxW> and --filter <name>
 * parseResizeFlags({ resize: '28x28' }); // { height: 28, width: 28, filter: 'bilinear' }
 * parseResizeFlags({});                  // undefined
 */
export interface ResizeFlags {
  resize?: string;
  filter?: string;
}

export function resizeOptions(c: Command): Command {
  return c
    .option('--resize <HxW>', 'image folders and .zip files: resize every image to HxW, e.g. 28x28 (needed when their sizes differ)')
    .option('--filter <name>', `filter of --resize: ${RESIZE_FILTERS.join(', ')} (default bilinear)`);
}

/** The resize the flags ask for; a bad size or filter, or --filter without --resize, is a USAGE error naming the flag. */
export function parseResizeFlags(f: ResizeFlags): ResizeSpec | undefined {
  if (f.resize !== undefined) return parseResize(f.resize, f.filter ?? 'bilinear');
  if (f.filter !== undefined) {
    parseResize('1x1', f.filter); // an unknown filter is named as such
    throw new GenbenchError('USAGE', `--filter ${f.filter}: only with --resize HxW`);
  }
  return undefined;
}

/** A folder, or a file named .zip: the inputs `--resize` applies to. */
export async function isImageFiles(path: string, zip: boolean): Promise<boolean> {
  if (zip && path.toLowerCase().endsWith('.zip')) return true;
  return (await stat(path).catch(() => null))?.isDirectory() === true;
}

/**
 * Refuses `--resize` when none of the command's inputs is an image folder (or, where `zip` is set, a .zip of
 * images): the flag would change nothing. `inputs` maps each input's flag to its path (undefined: not given).
 *
 * @example
 * await requireResizable(spec, { '--dataset': { path: 'mnist', zip: false } });
 * // throws: --resize: applies to image folders and .zip files of images; --dataset mnist is neither (drop the flag)
 */
export async function requireResizable(resize: ResizeSpec | undefined, inputs: Record<string, { path: string | undefined; zip: boolean }>): Promise<void> {
  if (resize === undefined) return;
  const given = Object.entries(inputs).filter((e): e is [string, { path: string; zip: boolean }] => e[1].path !== undefined);
  for (const [, i] of given) if (await isImageFiles(i.path, i.zip)) return;
  const what = given.length === 0 ? 'none is read here' : `${given.map(([flag, i]) => `${flag} ${i.path}`).join(' and ')} ${given.length > 1 ? 'are' : 'is'} neither`;
  throw new GenbenchError('USAGE', `--resize: applies to image folders and .zip files of images; ${what} (drop the flag)`);
}
