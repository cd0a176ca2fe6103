import { gunzipSync } from 'node:zlib';
import { resolveAsset } from '../assets/index.js';
import { GenbenchError } from '../errors.js';
import { resizeImage } from '../io/image-codec.js';
import { readWithHash } from './npz.js';
import { assetsAvailable } from './local-assets.js';
import { requireSplit, sliceSplit } from './split-spec.js';
import type { Dataset, DatasetSplit, LoadOptions, SplitInfo } from './types.js';

/**
 * `uci-digits`: the UCI optical recognition of handwritten digits test set (Alpaydin & Kaynak 1998; 1797 digits of
 * 43 writers as 8x8 counts 0..16, the copy scikit-learn ships as `digits.csv.gz`: 64 values and the label per row),
 * made into MNIST-like 28x28 images: v -> round(255 v / 16) as uint8, resized 8x8 -> 20x20 with genbench's one
 * resize (`resizeImage`, bilinear) and centred in 28x28 with a 4-pixel black border, as MNIST centres its digits
 * in a 20x20 box. The target domain of `genbench train --model dann` (MNIST -> UCI digits). Splits, in file
 * order: `train` rows 0..1199 (unlabelled during adaptation), `test` rows 1200..1796 (597, the target accuracy).
 *
 * @example
 * const t = await uciDigits.load('test'); // images 597x28x28x1, labels 0..9
 */
const ASSET = 'datasets/uci-digits/digits.csv.gz';
const ROWS = 1797;
const SPLIT_ROWS: Readonly<Record<string, readonly [number, number]>> = { train: [0, 1200], test: [1200, ROWS] };
const SPLITS: SplitInfo[] = Object.entries(SPLIT_ROWS).map(([name, [a, b]]) => ({ name, count: b - a }));
export const UCI_DIGITS_FRAMING = 'v -> round(255 v / 16); 8x8 -> 20x20 bilinear (resizeImage); centred in 28x28 (4-pixel border)';

export const uciDigits: Dataset = {
  name: 'uci-digits',
  description: 'UCI handwritten digits (8x8, 0..16) made MNIST-like: 20x20 bilinear in a 28x28 frame, 10 classes',
  license: 'UCI ML repository (Alpaydin & Kaynak 1998), CC BY 4.0; from scikit-learn',
  splits: SPLITS,
  shape: { height: 28, width: 28, channels: 1 },
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  async load(split: string, opts: LoadOptions = {}): Promise<DatasetSplit> {
    const info = requireSplit('uci-digits', SPLITS, split);
    const asset = await resolveAsset(ASSET, { ...(opts.progress ? { progress: opts.progress } : {}), ...(opts.offline ? { offline: true } : {}) });
    const { bytes } = await readWithHash(asset.path);
    const { pixels, labels } = parseDigits(gunzipSync(bytes).toString('utf8'), asset.path);
    const [a, b] = SPLIT_ROWS[info.name]!;
    const n = b - a;
    const data = new Uint8Array(n * 784);
    for (let i = 0; i < n; i++) data.set(frame(pixels.subarray((a + i) * 64, (a + i + 1) * 64)), i * 784);
    const full: DatasetSplit = { images: { data, n, height: 28, width: 28, channels: 1 }, labels: labels.slice(a, b), split: info.name, source: { files: [{ id: ASSET, path: asset.path, sha256: asset.sha256 }] } };
    return sliceSplit(full, split);
  },
  async available(split: string): Promise<boolean> {
    requireSplit('uci-digits', SPLITS, split);
    return assetsAvailable([ASSET]);
  },
};

/** 64 uint8 pixels (0..255) and a label per row; a malformed row is an INPUT error naming the line. */
function parseDigits(text: string, path: string): { pixels: Uint8Array; labels: Int32Array } {
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  if (lines.length !== ROWS) throw new GenbenchError('INPUT', `${path}: expected ${ROWS} rows of 65 values, found ${lines.length} rows`);
  const pixels = new Uint8Array(ROWS * 64);
  const labels = new Int32Array(ROWS);
  lines.forEach((line, r) => {
    const v = line.split(',').map(Number);
    if (v.length !== 65 || v.some((x, k) => !Number.isInteger(x) || x < 0 || x > (k === 64 ? 9 : 16))) {
      throw new GenbenchError('INPUT', `${path}: line ${r + 1} is not 64 counts 0..16 and a label 0..9`);
    }
    for (let k = 0; k < 64; k++) pixels[r * 64 + k] = Math.round((255 * v[k]!) / 16);
    labels[r] = v[64]!;
  });
  return { pixels, labels };
}

/** One 8x8 digit as a 28x28 MNIST-like image. */
function frame(px: Uint8Array): Uint8Array {
  const big = resizeImage({ data: px, width: 8, height: 8, channels: 1 }, { height: 20, width: 20, filter: 'bilinear' });
  const out = new Uint8Array(784);
  for (let y = 0; y < 20; y++) out.set(big.data.subarray(y * 20, (y + 1) * 20), (y + 4) * 28 + 4);
  return out;
}
