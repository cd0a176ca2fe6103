import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePng } from '../../src/io/png.js';
import { encodeNpy } from '../../src/io/npy.js';
import { generator, tinyFolder, type Case } from './case.js';
import { bombNpzHonest, bombNpzLying, bombNpzPixels, bombPng, sparseNpy, writeManifest } from './files.js';
import { STATS_CASES } from './stats-cases.js';

/** Bad input files: decompression bombs, corrupt and oversized images, manifests, feature and image arrays, a NaN generator. */
export const INPUT_CASES: readonly Case[] = [
  {
    name: 'zero-byte PNG in an image folder',
    setup: async (d) => {
      await mkdir(join(d, 'imgs'));
      await writeFile(join(d, 'imgs', 'a.png'), '');
    },
    args: ['datasets', 'show', 'imgs'],
    code: 2,
    stderr: /^genbench: imgs\/a\.png: not a PNG or JPEG file/,
  },
  {
    name: 'decompression-bomb PNG (30000x30000 pixels in 0.9 MB)',
    setup: async (d) => {
      await mkdir(join(d, 'imgs'));
      await writeFile(join(d, 'imgs', 'bomb.png'), bombPng(30000));
    },
    args: ['datasets', 'show', 'imgs'],
    code: 2,
    stderr: /^genbench: imgs\/bomb\.png: 30000x30000 is 900\.0 megapixels, over the limit of 64\.0 megapixels \(raise GENBENCH_MAX_PIXELS/,
    maxMb: 300,
  },
  {
    name: 'JPEG whose header declares 30000x30000 pixels',
    setup: async (d) => {
      await mkdir(join(d, 'imgs'));
      // SOI, then a baseline start-of-frame: 8-bit, height 30000, width 30000, 3 components
      const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, 0x75, 0x30, 0x75, 0x30, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
      await writeFile(join(d, 'imgs', 'big.jpg'), Uint8Array.from([0xff, 0xd8, ...sof, 0xff, 0xd9]));
    },
    args: ['datasets', 'show', 'imgs'],
    code: 2,
    stderr: /^genbench: imgs\/big\.jpg: 30000x30000 is 900\.0 megapixels/,
    maxMb: 300,
  },
  {
    name: 'image folder with images of two sizes (after a completed progress bar)',
    setup: async (d) => {
      await tinyFolder(d);
      await writeFile(join(d, 'imgs', 'z.png'), encodePng(new Uint8Array(25), 5, 5, 1));
    },
    args: ['datasets', 'show', 'imgs'],
    code: 2,
    stderr: /^genbench: imgs\/z\.png: image is 5x5 but 0\.png is 4x4; pass --resize/,
  },
  {
    name: 'GENBENCH_MAX_PIXELS lowers the pixel budget',
    setup: tinyFolder,
    env: { GENBENCH_MAX_PIXELS: '15' },
    args: ['datasets', 'show', 'imgs'],
    code: 2,
    stderr: /^genbench: imgs\/0\.png: 4x4 is 16 pixels, over the limit of 15 pixels \(raise GENBENCH_MAX_PIXELS/,
  },
  {
    name: '.npz with a 5 GB member in 5 MB',
    setup: (d) => writeFile(join(d, 'bomb.npz'), bombNpzHonest()),
    args: ['datasets', 'show', 'bomb.npz'],
    code: 2,
    stderr: /^genbench: bomb\.npz: members to read declare 5\.03 GB uncompressed .* over the limit of 2\.15 GB \(raise GENBENCH_MAX_NPZ_BYTES/,
    maxMb: 300,
  },
  {
    name: '.npz within the byte budget holding a 1-gigapixel image',
    setup: (d) => writeFile(join(d, 'wide.npz'), bombNpzPixels()),
    args: ['datasets', 'show', 'wide.npz'],
    code: 2,
    stderr: /^genbench: wide\.npz:test_images\.npy: images: 32768x32769 is 1073\.8 megapixels, over the limit/,
    maxMb: 300,
  },
  {
    name: '.npz member that inflates past its declared size',
    setup: (d) => writeFile(join(d, 'lying.npz'), bombNpzLying()),
    args: ['datasets', 'show', 'lying.npz'],
    code: 2,
    stderr: /^genbench: lying\.npz:test_images\.npy: inflates to more than the 7968 bytes it declares/,
    maxMb: 300,
  },
  {
    name: '.npz that is not a zip',
    setup: (d) => writeFile(join(d, 'x.npz'), 'hello, not a zip archive'),
    args: ['datasets', 'show', 'x.npz'],
    code: 2,
    stderr: /^genbench: x\.npz: not a valid \.npz \(zip\) archive/,
  },
  {
    name: 'sample --n 100000000000',
    setup: generator,
    args: ['sample', '--generator', 'g.onnx', '--n', '100000000000', '--out', 'x.npy'],
    code: 2,
    stderr: /^genbench: n 100000000000: the latents \[100000000000, 784\]: .* more than one array holds/,
  },
  {
    name: 'manifest containing null',
    setup: async (d) => {
      await generator(d);
      await writeFile(join(d, 'g.genbench.json'), 'null');
    },
    args: ['sample', '--generator', 'g.onnx'],
    code: 2,
    stderr: /^genbench: .*g\.genbench\.json: field '\(top level\)': Invalid input: expected object, received null/,
  },
  {
    name: 'manifest image_shape [1,100000,100000]',
    setup: async (d) => {
      await generator(d);
      await writeManifest(join(d, 'g.onnx'), { image_shape: [1, 100000, 100000] });
    },
    args: ['sample', '--generator', 'g.onnx'],
    code: 2,
    stderr: /^genbench: .*g\.genbench\.json: field 'image_shape' \[1,100000,100000\]: 100000x100000 is 10000\.0 megapixels/,
  },
  {
    name: 'generator emitting NaN for some latents, with a progress bar',
    setup: (d) => generator(d, true),
    args: ['sample', '--generator', 'g.onnx', '--n', '2000', '--out', 'x.npy'],
    code: 2,
    stderr: /^genbench: model nan-generator \(.*g\.onnx\) produced NaN at output value \d+; check its weights$/,
  },
  {
    name: 'evaluate with a generator emitting NaN for some latents, with progress bars',
    needsAssets: true,
    setup: (d) => generator(d, true),
    args: ['evaluate', '--generator', 'g.onnx', '--dataset', 'mnist', '--n', '2000', '--out', 'r.json'],
    code: 2,
    stderr: /^genbench: model nan-generator \(.*g\.onnx\) produced NaN/,
    maxMb: 1500,
  },
  {
    name: 'memorization with a generator emitting NaN for some latents, with progress bars',
    needsAssets: true,
    setup: (d) => generator(d, true),
    args: ['memorization', '--generator', 'g.onnx', '--dataset', 'mnist', '--train-split', 'test[:2000]', '--heldout-split', 'test[8000:]', '--space', 'pixel', '--n', '2000'],
    code: 2,
    stderr: /^genbench: model nan-generator \(.*g\.onnx\) produced NaN/,
    maxMb: 1500,
  },
  {
    name: 'metrics: a 3 GB feature file of another width is refused from its header',
    setup: async (d) => {
      await sparseNpy(join(d, 'big.npy'), 1_000_000, 768);
      await writeFile(join(d, 'small.npy'), encodeNpy(new Float32Array(10 * 64), [10, 64]));
    },
    args: ['metrics', '--generated', 'big.npy', '--reference', 'small.npy', '--metrics', 'fd'],
    code: 2,
    stderr: /^genbench: big\.npy has 768 features per sample but small\.npy has 64/,
    maxMb: 300,
  },
  {
    name: 'nn: a 3 GB training file of another width is refused from its header',
    setup: async (d) => {
      await sparseNpy(join(d, 'big.npy'), 1_000_000, 768);
      await writeFile(join(d, 'small.npy'), encodeNpy(new Float32Array(10 * 64), [10, 64]));
    },
    args: ['nn', '--train', 'big.npy', '--query', 'small.npy'],
    code: 2,
    stderr: /^genbench: small\.npy has 64 features per row but big\.npy has 768/,
    maxMb: 300,
  },
  {
    name: 'pixel: uint8 against float images',
    setup: async (d) => {
      await writeFile(join(d, 'a.npy'), encodeNpy(Uint8Array.from({ length: 2 * 16 * 16 }, (_, i) => i % 256), [2, 16, 16]));
      await writeFile(join(d, 'b.npy'), encodeNpy(Float32Array.from({ length: 2 * 16 * 16 }, (_, i) => (i % 256) / 255), [2, 16, 16]));
    },
    args: ['pixel', '--a', 'a.npy', '--b', 'b.npy', '--range', '255'],
    code: 2,
    stderr: /^genbench: --a a\.npy is uint8 but --b b\.npy is float32/,
  },
  {
    name: 'pixel: --range 1 on 0..255 images',
    setup: async (d) => {
      await writeFile(join(d, 'a.npy'), encodeNpy(Uint8Array.from({ length: 2 * 16 * 16 }, (_, i) => i % 256), [2, 16, 16]));
    },
    args: ['pixel', '--a', 'a.npy', '--b', 'a.npy', '--range', '1'],
    code: 2,
    stderr: /^genbench: --range 1: a\.npy has values from 0 to 255, wider than the range; use --range 255/,
  },
  ...STATS_CASES,
  {
    name: 'train --out whose run manifest is not JSON',
    setup: async (d) => {
      await mkdir(join(d, 'run'));
      await writeFile(join(d, 'run', 'genbench.json'), '{broken');
    },
    args: ['train', '--model', 'dcgan', '--dataset', 'mnist', '--out', 'run', '--minutes', '0.05'],
    code: 2,
    stderr: /^genbench: \S*run\/genbench\.json: not valid JSON \(.*\); use a fresh --out$/,
    needsAssets: true,
  },
  {
    name: 'submit a checkpoint whose manifest is not JSON',
    setup: async (d) => {
      await writeFile(join(d, 'm.onnx'), 'x');
      await writeFile(join(d, 'm.genbench.json'), '{"file": ');
    },
    args: ['submit', 'm.onnx', '--server', 'http://127.0.0.1:9', '--token', 'x'],
    code: 2,
    stderr: /^genbench: m\.genbench\.json: not valid JSON \(.*\); fix the manifest$/,
  },
];
