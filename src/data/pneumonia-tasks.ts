import type { ImageBatchU8 } from '../io/image.js';
import { Rng } from '../rng.js';
import { downUp, poissonNoise, type DownUpSpec } from './degrade.js';
import { pneumoniamnist } from './medmnist.js';
import { slicePairs, type PairedDataset, type PairedSplit, type PairImages } from './paired.js';
import { requireSplit } from './split-spec.js';
import type { Dataset, LoadOptions, SplitInfo } from './types.js';
import { sliceUnpaired, type UnpairedDataset, type UnpairedSplit } from './unpaired.js';

/**
 * Translation tasks built on PneumoniaMNIST (`pneumoniamnist`: the class-balanced 28x28 chest X-rays of genbench's
 * assets), on the dataset's own splits (train for training, val for model selection, test for evaluation):
 *
 * - `pneumonia-sr2`, 2x super-resolution: target = the image; source = the image area-downsampled 28 -> 14 (each
 *   2x2 block averaged, rounded to uint8) and resized back to 28 with the bilinear filter (PIL's triangle kernel,
 *   rounded to uint8), both through genbench's one resize (degrade.ts downUp);
 * - `pneumonia-denoise`, low-dose-like denoising: target = the image; source = Poisson photon noise with 50 photons
 *   at full white (a pixel v is a count k ~ Poisson(50 v / 255), shown as round-half-even(255 k / 50) clipped to
 *   255), seeded by Rng(0).fork(<split name>) so every load of a split gives the same noisy images;
 * - `pneumonia-normal-to-pneumonia`, unpaired: source = the split's images labelled normal (0), target = its images
 *   labelled pneumonia (1); the target-domain classifier is `classifier:pneumoniamnist`.
 *
 * @example
 * (await pneumoniaSr2.load('test')).source.n;                     // 468
 * (await pneumoniaNormalToPneumonia.load('test')).target.n;       // the test images labelled pneumonia
 */
const BASE: Dataset = pneumoniamnist;
const SPLITS: readonly SplitInfo[] = BASE.splits.filter((s) => s.name === 'train' || s.name === 'val' || s.name === 'test');
const SPLIT_RULE = "the dataset's own: train for training, val for model selection, test for evaluation";

export const SR2: DownUpSpec = { factor: 2, down: 'area', up: 'bilinear' };
export const DENOISE = { photons: 50, seed: 0 } as const;

interface DegradedTask {
  readonly name: string;
  readonly description: string;
  readonly protocol: Readonly<Record<string, string | number>>;
  readonly degrade: (clean: ImageBatchU8, split: string) => ImageBatchU8;
}

/** A paired task whose targets are the dataset's images and whose sources are those images degraded. */
function degradedTask(t: DegradedTask): PairedDataset {
  return {
    name: t.name,
    description: t.description,
    license: BASE.license,
    splits: SPLITS,
    protocol: t.protocol,
    async load(split: string, opts: LoadOptions = {}): Promise<PairedSplit> {
      const info = requireSplit(t.name, SPLITS, split);
      const clean = await BASE.load(info.name, opts);
      const full: PairedSplit = {
        source: { ...t.degrade(clean.images, info.name), range: [0, 255] },
        target: { ...clean.images, range: [0, 255] },
        split: info.name,
        files: clean.source.files,
        preprocessing: { ...t.protocol },
      };
      return slicePairs(full, split);
    },
  };
}

export const pneumoniaSr2: PairedDataset = degradedTask({
  name: 'pneumonia-sr2',
  description: 'PneumoniaMNIST 2x super-resolution: 28x28 chest X-rays from their 14x14 versions (upsampled back to 28x28)',
  protocol: {
    dataset: BASE.name,
    splits: SPLIT_RULE,
    target: 'the 28x28 image',
    degradation: `resize 28x28 -> 14x14 ${SR2.down} (2x2 block means), then 14x14 -> 28x28 ${SR2.up}; uint8, rounded after each resize`,
    size: '28x28',
  },
  degrade: (clean) => downUp(clean, SR2),
});

export const pneumoniaDenoise: PairedDataset = degradedTask({
  name: 'pneumonia-denoise',
  description: `PneumoniaMNIST low-dose-like denoising: 28x28 chest X-rays from Poisson photon noise at ${DENOISE.photons} photons at full white`,
  protocol: {
    dataset: BASE.name,
    splits: SPLIT_RULE,
    target: 'the 28x28 image',
    degradation: `Poisson noise: k ~ Poisson(${DENOISE.photons} v / 255) per pixel, source = clip(round-half-even(255 k / ${DENOISE.photons}), 0, 255)`,
    photons: DENOISE.photons,
    noiseSeed: `Rng(${DENOISE.seed}).fork(<split name>), pixels in NHWC order`,
    size: '28x28',
  },
  degrade: (clean, split) => poissonNoise(clean, { photons: DENOISE.photons }, new Rng(DENOISE.seed).fork(split)),
});

const NORMAL = 0;
const PNEUMONIA = 1;

/** `pneumonia-normal-to-pneumonia`: the two classes of a split as two domains. */
const UNPAIRED_NAME = 'pneumonia-normal-to-pneumonia';
const UNPAIRED_PROTOCOL = {
  dataset: BASE.name,
  splits: SPLIT_RULE,
  source: `the split's images labelled ${NORMAL} (normal)`,
  target: `the split's images labelled ${PNEUMONIA} (pneumonia)`,
  size: '28x28',
};

export const pneumoniaNormalToPneumonia: UnpairedDataset = {
  name: UNPAIRED_NAME,
  description: 'PneumoniaMNIST normal -> pneumonia (unpaired): 28x28 chest X-rays labelled normal translated to look like those labelled pneumonia',
  license: BASE.license,
  splits: SPLITS.map((s) => ({ name: s.name })),
  protocol: UNPAIRED_PROTOCOL,
  classifier: { extractor: 'classifier:pneumoniamnist', targetLabel: PNEUMONIA, targetClass: 'pneumonia' },
  async load(split: string, opts: LoadOptions = {}): Promise<UnpairedSplit> {
    const info = requireSplit(UNPAIRED_NAME, SPLITS, split);
    const all = await BASE.load(info.name, opts);
    const full: UnpairedSplit = {
      source: withLabel(all.images, all.labels!, NORMAL),
      target: withLabel(all.images, all.labels!, PNEUMONIA),
      split: info.name,
      files: all.source.files,
      preprocessing: { ...UNPAIRED_PROTOCOL },
    };
    const cut = sliceUnpaired(full, split);
    return { ...cut, preprocessing: { ...cut.preprocessing, sourceCount: cut.source.n, targetCount: cut.target.n } };
  },
};

/** The images of one label, in split order. */
function withLabel(images: ImageBatchU8, labels: Int32Array, label: number): PairImages {
  const rows: number[] = [];
  labels.forEach((l, i) => {
    if (l === label) rows.push(i);
  });
  const size = images.height * images.width * images.channels;
  const data = new Uint8Array(rows.length * size);
  rows.forEach((r, i) => data.set(images.data.subarray(r * size, (r + 1) * size), i * size));
  return { ...images, data, n: rows.length, range: [0, 255] };
}
