import { generator, tinyFolder, type Case } from './case.js';

/** Bad `--resize` / `--filter` values, on each command that reads image files: one line naming the flag, before any work. */
export const RESIZE_CASES: readonly Case[] = [
  {
    name: 'features --resize 0x5 (a side of 0)',
    setup: tinyFolder,
    args: ['features', '--input', 'imgs', '--resize', '0x5', '--out', 'f.npy'],
    code: 2,
    stderr: /^genbench: --resize '0x5': expected HEIGHTxWIDTH such as 28x28 \(1 to 8192 each\)$/,
  },
  {
    name: 'evaluate --resize abc (not HxW)',
    setup: tinyFolder,
    args: ['evaluate', '--generated', 'imgs', '--dataset', 'polygons', '--resize', 'abc', '--out', 'r.json'],
    code: 2,
    stderr: /^genbench: --resize 'abc': expected HEIGHTxWIDTH/,
  },
  {
    name: 'datasets show --resize 100000x100000 (beyond the pixel budget)',
    setup: tinyFolder,
    args: ['datasets', 'show', 'imgs', '--resize', '100000x100000', '--grid', 'g.png'],
    code: 2,
    stderr: /^genbench: --resize '100000x100000': 10000000000 pixels per image, over the limit of 64000000 \(raise GENBENCH_MAX_PIXELS/,
  },
  {
    name: 'sanity --resize 28x28 under a lowered GENBENCH_MAX_PIXELS',
    setup: tinyFolder,
    env: { GENBENCH_MAX_PIXELS: '100' },
    args: ['sanity', '--dataset', 'imgs', '--resize', '28x28'],
    code: 2,
    stderr: /^genbench: --resize '28x28': 784 pixels per image, over the limit of 100/,
  },
  {
    name: 'memorization --filter lanczos (unknown filter)',
    setup: async (d) => {
      await tinyFolder(d);
      await generator(d);
    },
    args: ['memorization', '--generator', 'g.onnx', '--dataset', 'imgs', '--train-split', 'all[:2]', '--heldout-split', 'all[2:]', '--resize', '4x4', '--filter', 'lanczos', '--panels', 'p.png'],
    code: 2,
    stderr: /^genbench: --filter 'lanczos': unknown resize filter; use one of nearest, bilinear, bicubic, area$/,
  },
  {
    name: 'train --filter without --resize',
    setup: tinyFolder,
    args: ['train', '--model', 'dcgan', '--dataset', 'imgs', '--filter', 'area', '--out', 'run'],
    code: 2,
    stderr: /^genbench: --filter area: only with --resize HxW$/,
  },
  {
    name: 'evaluate --resize with no image folder or .zip among the inputs',
    setup: generator,
    args: ['evaluate', '--generator', 'g.onnx', '--dataset', 'polygons', '--resize', '28x28', '--out', 'r.json'],
    code: 2,
    stderr: /^genbench: --resize: applies to image folders and \.zip files of images; --dataset polygons is neither \(drop the flag\)$/,
  },
];
