import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { encodeNpy } from '../../src/io/npy.js';
import { encodePng } from '../../src/io/png.js';
import { writeExport } from '../models/export-fixtures.js';
import type { Case } from './case.js';
import { bombPng, crc32, deflateZeros, npyHeader, zipArchive } from './files.js';

const evaluate = (generated: string, ...more: string[]) => ['evaluate', '--generated', generated, '--dataset', 'mnist', '--no-ci', ...more];

function member(name: string, bytes: Uint8Array) {
  return { name, deflated: deflateRawSync(bytes), size: bytes.length, crc: crc32(bytes) };
}

/** A sparse uint8 .npy of `shape`: the header, then the file extended to its full size without writing data. */
async function sparseImages(path: string, shape: readonly number[]): Promise<void> {
  const header = npyHeader(shape);
  const fh = await open(path, 'w');
  try {
    await fh.write(header, 0, header.length, 0);
    await fh.truncate(header.length + shape.reduce((a, b) => a * b, 1));
  } finally {
    await fh.close();
  }
}

/**
 * Bad sets of images given as they are, for `genbench evaluate --generated` and `genbench features` (refused before
 * the dataset or extractor loads), and PyTorch-style ONNX exports whose shapes contradict their manifest.
 */
export const GENERATED_CASES: readonly Case[] = [
  {
    name: 'generated .zip holding a decompression-bomb PNG',
    setup: async (d) => writeFile(join(d, 'g.zip'), zipArchive([member('a.png', encodePng(new Uint8Array(784), 28, 28, 1)), member('bomb.png', bombPng(30000))])),
    args: evaluate('g.zip'),
    code: 2,
    stderr: /^genbench: g\.zip:bomb\.png: 30000x30000 is 900\.0 megapixels, over the limit of 64\.0 megapixels/,
    maxMb: 300,
  },
  {
    name: 'generated .zip whose PNG declares 5 GB',
    setup: async (d) => writeFile(join(d, 'g.zip'), zipArchive([{ name: 'a.png', deflated: deflateZeros(new Uint8Array(0), 32768 + 75 * 2 ** 26), size: 32768 + 75 * 2 ** 26, crc: 0 }])),
    args: evaluate('g.zip'),
    code: 2,
    stderr: /^genbench: g\.zip: its images declare 5033197568 bytes, over the limit of 2147483648 \(raise GENBENCH_MAX_NPZ_BYTES/,
  },
  {
    name: 'generated .npy of 81-megapixel images (sparse, refused from its header)',
    setup: async (d) => sparseImages(join(d, 'g.npy'), [2, 9000, 9000]),
    args: evaluate('g.npy'),
    code: 2,
    stderr: /^genbench: g\.npy: 9000x9000 is 81\.0 megapixels, over the limit/,
    maxMb: 300,
  },
  {
    name: 'generated .npz of one 1-gigapixel image (refused before inflating)',
    setup: async (d) => {
      const header = npyHeader([1, 1 + 16 * 2048, 32768]);
      const data = 32768 + 16 * 2 ** 26;
      await writeFile(join(d, 'g.npz'), zipArchive([{ name: 'images.npy', deflated: deflateZeros(header, data), size: header.length + data, crc: 0 }]));
    },
    args: evaluate('g.npz'),
    code: 2,
    stderr: /^genbench: g\.npz:images\.npy: 32768x32769 is 1073\.8 megapixels, over the limit/,
    maxMb: 300,
  },
  {
    name: 'generated float32 .npy without --generated-range',
    setup: async (d) => writeFile(join(d, 'g.npy'), encodeNpy(new Float32Array(2 * 784), [2, 28, 28, 1])),
    args: evaluate('g.npy'),
    code: 2,
    stderr: /^genbench: g\.npy: float32 images need their value range: pass --generated-range -1,1/,
  },
  {
    name: 'generated float32 .npy with a NaN pixel',
    setup: async (d) => writeFile(join(d, 'g.npy'), encodeNpy(Float32Array.from({ length: 2 * 784 }, (_, i) => (i === 900 ? NaN : 0)), [2, 28, 28])),
    args: evaluate('g.npy', '--generated-range', '-1,1'),
    code: 2,
    stderr: /^genbench: g\.npy: non-finite pixel value NaN at flat index 900/,
  },
  {
    name: 'generated .npy of shape [N, 28, 28, 2]',
    setup: async (d) => writeFile(join(d, 'g.npy'), encodeNpy(new Uint8Array(2 * 28 * 28 * 2), [2, 28, 28, 2])),
    args: evaluate('g.npy'),
    code: 2,
    stderr: /^genbench: g\.npy: expected images \[N,H,W\], \[N,H,W,C\] or \[N,C,H,W\] with C 1 or 3, got shape \(2, 28, 28, 2\)/,
  },
  {
    name: 'generated .npz with two arrays, neither named images',
    setup: async (d) => {
      const a = encodeNpy(new Uint8Array(2 * 784), [2, 28, 28]);
      await writeFile(join(d, 'g.npz'), zipArchive([member('x.npy', a), member('y.npy', a)]));
    },
    args: evaluate('g.npz'),
    code: 2,
    stderr: /^genbench: g\.npz: name the image array 'images' .* members: x, y$/,
  },
  {
    name: 'generated folder without images',
    setup: async (d) => {
      await mkdir(join(d, 'empty'));
      await writeFile(join(d, 'empty', 'notes.txt'), 'no images here');
    },
    args: evaluate('empty'),
    code: 2,
    stderr: /^genbench: empty: no \.png, \.jpg or \.jpeg files found/,
  },
  {
    name: 'generated set smaller than --n',
    setup: async (d) => writeFile(join(d, 'g.npy'), encodeNpy(new Uint8Array(3 * 784), [3, 28, 28, 1])),
    args: evaluate('g.npy', '--n', '10'),
    code: 2,
    stderr: /^genbench: --n 10: .*g\.npy holds 3 images; pass --n 3 or fewer$/,
  },
  {
    name: 'features of a generated .zip holding a decompression-bomb PNG (before the extractor loads)',
    setup: async (d) => writeFile(join(d, 'g.zip'), zipArchive([member('bomb.png', bombPng(30000))])),
    args: ['features', '--input', 'g.zip', '--out', 'f.npy'],
    code: 2,
    stderr: /^genbench: g\.zip:bomb\.png: 30000x30000 is 900\.0 megapixels, over the limit/,
    maxMb: 300,
  },
  {
    name: 'features with both --input and --dataset',
    setup: async (d) => writeFile(join(d, 'g.npy'), encodeNpy(new Uint8Array(2 * 784), [2, 28, 28])),
    args: ['features', '--input', 'g.npy', '--dataset', 'mnist', '--out', 'f.npy'],
    code: 2,
    stderr: /^genbench: give --input IMAGES \(a folder, \.zip, \.npy or \.npz\) or --dataset NAME \[--split S\], not both$/,
  },
  {
    name: 'features --split without --dataset',
    setup: async (d) => writeFile(join(d, 'g.npy'), encodeNpy(new Uint8Array(2 * 784), [2, 28, 28])),
    args: ['features', '--input', 'g.npy', '--split', 'test', '--out', 'f.npy'],
    code: 2,
    stderr: /^genbench: --split: only with --dataset$/,
  },
  {
    name: 'ONNX export whose image output is flat [N, 784]',
    setup: async (d) => writeExport(join(d, 'g.onnx'), { latent: 16, channels: 1, size: 28, zShape: 'nchw', dtype: 'float32', layout: 'flat' }),
    args: ['sample', '--generator', 'g.onnx', '--n', '4', '--out', 'x.npy'],
    code: 2,
    stderr: /^genbench: .*g\.genbench\.json: field 'image_shape' says \[1,28,28\] \(NCHW\) but model pytorch-like outputs \[1,784\] for 1 latents; expected \[1,1,28,28\] \(NCHW\) or \[1,28,28,1\] \(NHWC\)/,
  },
  {
    name: 'ONNX export with latents [N, 16, 1, 1] and a manifest saying latent_dim 100',
    setup: async (d) => writeExport(join(d, 'g.onnx'), { latent: 16, channels: 1, size: 28, zShape: 'nchw', dtype: 'float16', layout: 'NCHW' }, { latent_dim: 100 }),
    args: ['sample', '--generator', 'g.onnx', '--n', '4', '--out', 'x.npy'],
    code: 2,
    stderr: /^genbench: .*g\.genbench\.json: field 'latent_dim' is 100 but input 'z' has 16 values per row \(shape \[N,16,1,1\]\)/,
  },
  {
    name: 'sample --out-dir naming a file (refused before sampling)',
    setup: async (d) => {
      await writeExport(join(d, 'g.onnx'), { latent: 16, channels: 1, size: 28, zShape: 'nchw', dtype: 'float32', layout: 'NCHW' });
      await writeFile(join(d, 'taken'), 'a file');
    },
    args: ['sample', '--generator', 'g.onnx', '--n', '4', '--out-dir', 'taken'],
    code: 2,
    stderr: /^genbench: --out-dir taken: cannot create the folder \(EEXIST\)$/,
  },
  {
    name: 'generated set that does not exist',
    args: evaluate('missing.npy'),
    code: 2,
    stderr: /^genbench: missing\.npy: no such file or folder/,
  },
];
