import { GenbenchError } from '../errors.js';
import type { PairedDataset } from './paired.js';
import { pneumoniaDenoise, pneumoniaNormalToPneumonia, pneumoniaSr2 } from './pneumonia-tasks.js';
import type { UnpairedDataset } from './unpaired.js';
import { assetVolumes, openVolumeTask, volumeTask } from './volume-task.js';

/**
 * `colin27-t1-bet`: brain extraction as translation. Source: the Colin27 T1-weighted MRI (one subject, 27 averaged
 * scans, 181x217x181 at 1 mm); target: the same volume skull-stripped (brain voxels as in the source, zero
 * elsewhere). Axial slices 20..149 (the range that holds brain), every 5th of them from slice 20 held out as `test`
 * (26 slices), the other 104 `train`; both volumes windowed by the 0.5th and 99.5th percentiles of the T1 volume
 * (so brain intensities are the same on both sides), padded to a square and area-resized to 64x64. One subject:
 * test slices lie between training slices, so the split measures interpolation within a brain, not generalisation
 * to new subjects.
 */
export const colin27T1Bet: PairedDataset = volumeTask(
  {
    name: 'colin27-t1-bet',
    description: 'Colin27 T1 MRI -> the same brain skull-stripped, axial slices 64x64',
    license: 'MRIcron templates (Chris Rorden), BSD-3-Clause; Colin27 (Holmes et al. 1998)',
    source: 'datasets/colin27/ch2.nii.gz',
    target: 'datasets/colin27/ch2bet.nii.gz',
    plane: 'axial',
    slices: [20, 150],
    test: { every: 5, offset: 0 },
    size: [64, 64],
    filter: 'area',
    fit: 'pad-square',
    window: {
      source: { kind: 'percentile', low: 0.5, high: 99.5, of: 'source' },
      target: { kind: 'percentile', low: 0.5, high: 99.5, of: 'source' },
    },
  },
  assetVolumes('datasets/colin27/ch2.nii.gz', 'datasets/colin27/ch2bet.nii.gz'),
);

/**
 * `colin27-t1-aal`: anatomical segmentation as translation. Source: the Colin27 T1 MRI as in `colin27-t1-bet`;
 * target: the AAL parcellation on the same grid (`aal.nii.gz`: 116 regions, 0 background), a label map whose pixel
 * value is the region's label (1..116). Same slices, split, square pad and size as `colin27-t1-bet`; the T1 is
 * windowed by its 0.5th and 99.5th percentiles and area-resized, the labels are not windowed and are resized with
 * `nearest` (a pixel takes one voxel's label, never a blend). Scored by Dice per label and their mean.
 */
export const colin27T1Aal: PairedDataset = volumeTask(
  {
    name: 'colin27-t1-aal',
    description: 'Colin27 T1 MRI -> AAL anatomical labels (116 regions, 0 background), axial slices 64x64',
    license: 'MRIcron templates (Chris Rorden), BSD-3-Clause; Colin27 (Holmes et al. 1998); AAL (Tzourio-Mazoyer et al. 2002)',
    source: 'datasets/colin27/ch2.nii.gz',
    target: 'datasets/colin27/aal.nii.gz',
    plane: 'axial',
    slices: [20, 150],
    test: { every: 5, offset: 0 },
    size: [64, 64],
    filter: 'area',
    fit: 'pad-square',
    window: {
      source: { kind: 'percentile', low: 0.5, high: 99.5, of: 'source' },
      target: { kind: 'labels' },
    },
  },
  assetVolumes('datasets/colin27/ch2.nii.gz', 'datasets/colin27/aal.nii.gz'),
);

/** The built-in paired translation tasks (a frozen Map; adding one is its spec plus one line). */
export const PAIRED_TASKS: ReadonlyMap<string, PairedDataset> = Object.freeze(
  new Map<string, PairedDataset>([
    ['colin27-t1-bet', colin27T1Bet],
    ['colin27-t1-aal', colin27T1Aal],
    ['pneumonia-sr2', pneumoniaSr2],
    ['pneumonia-denoise', pneumoniaDenoise],
  ]),
);

/** The built-in unpaired translation tasks (source domain -> target domain, no correspondence). */
export const UNPAIRED_TASKS: ReadonlyMap<string, UnpairedDataset> = Object.freeze(new Map<string, UnpairedDataset>([['pneumonia-normal-to-pneumonia', pneumoniaNormalToPneumonia]]));

/** Every built-in task name, paired then unpaired (for messages and help). */
export function taskNames(): string[] {
  return [...PAIRED_TASKS.keys(), ...UNPAIRED_TASKS.keys()];
}

/** A task opened by name: paired (pairs compared pixel for pixel) or unpaired (two domains). */
export type TranslationTask = { readonly kind: 'paired'; readonly task: PairedDataset } | { readonly kind: 'unpaired'; readonly task: UnpairedDataset };

/**
 * A built-in task by name (paired or unpaired), or a volume task spec file (`.json`); anything else is a USAGE error
 * listing the tasks.
 *
 * @example
 * (await openTranslationTask('pneumonia-normal-to-pneumonia')).kind; // 'unpaired'
 */
export async function openTranslationTask(nameOrSpec: string): Promise<TranslationTask> {
  const unpaired = UNPAIRED_TASKS.get(nameOrSpec);
  if (unpaired !== undefined) return { kind: 'unpaired', task: unpaired };
  return { kind: 'paired', task: await openTask(nameOrSpec) };
}

/**
 * A built-in paired task by name, or a volume task spec file (`.json`); anything else is a USAGE error listing the
 * tasks.
 *
 * @example
 * await openTask('colin27-t1-bet');
 * await openTask('my-task.json');
 */
export async function openTask(nameOrSpec: string): Promise<PairedDataset> {
  const builtin = PAIRED_TASKS.get(nameOrSpec);
  if (builtin !== undefined) return builtin;
  if (nameOrSpec.toLowerCase().endsWith('.json')) return openVolumeTask(nameOrSpec);
  throw new GenbenchError('USAGE', `unknown translation task '${nameOrSpec}'; built-in tasks are ${taskNames().join(', ')} (or give a task spec .json)`);
}
