import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { encodeNpy } from '../../src/io/npy.js';
import { encodePngAs } from '../../src/io/png.js';
import { rampValues, writeNifti } from '../data/nifti-fixtures.js';
import { writeTfjsTranslator } from '../harness/tfjs-translator-fixtures.js';
import { writeTranslator, type TranslatorKind } from '../harness/translator-fixtures.js';
import { sharedAssets } from '../helpers/assets.js';
import type { Case } from './case.js';

/** Bad translation inputs for `genbench evaluate --translator`: pairs, volumes, translators (ONNX and TF.js) and discriminators that do not fit. */
const evaluate = (translator: string, ...more: string[]) => ['evaluate', '--translator', translator, '--out', 'r.json', ...more];

/** P.npz: 4 uint8 pairs of 16x16 (a ramp, so some values lie below a quarter of the range). */
async function pairs(d: string, members: Record<string, readonly number[]> = { source: [4, 16, 16], target: [4, 16, 16] }): Promise<void> {
  const arrays: Record<string, Uint8Array> = {};
  for (const [name, shape] of Object.entries(members)) {
    const n = shape.reduce((a, b) => a * b, 1);
    arrays[`${name}.npy`] = encodeNpy(Uint8Array.from({ length: n }, (_, i) => i % 256), shape);
  }
  await writeFile(join(d, 'P.npz'), zipSync(arrays, { level: 0 }));
}

const translator = (kind: TranslatorKind, side = 16) => (d: string) => writeTranslator(join(d, `${kind}.onnx`), { kind, shape: [1, side, side] });

export const TRANSLATION_CASES: readonly Case[] = [
  {
    name: 'train --model segmenter on a task whose targets are images, not label maps',
    setup: async (d) => {
      await writeNifti(join(d, 'a.nii'), { dims: [8, 8, 6], values: rampValues([8, 8, 6]) });
      await writeNifti(join(d, 'b.nii'), { dims: [8, 8, 6], values: rampValues([8, 8, 6]) });
      const window = { kind: 'range', min: 0, max: 255 };
      await writeFile(join(d, 'task.json'), JSON.stringify({ name: 't', source: 'a.nii', target: 'b.nii', plane: 'axial', test: { every: 2, offset: 0 }, size: [8, 8], window: { source: window, target: window } }));
    },
    args: ['train', '--model', 'segmenter', '--task', 'task.json', '--steps', '1', '--out', 'run'],
    code: 2,
    stderr: /^genbench: --model segmenter trains on label maps, and task 'task\.json' has image targets; give a segmentation task \(colin27-t1-aal, or a volume task spec whose target window is 'labels'\)$/,
  },
  {
    name: 'translation task whose two volumes lie on different grids',
    setup: async (d) => {
      await writeNifti(join(d, 'a.nii'), { dims: [4, 4, 6], values: rampValues([4, 4, 6]) });
      await writeNifti(join(d, 'b.nii.gz'), { dims: [4, 4, 5], values: rampValues([4, 4, 5]) });
      const window = { kind: 'range', min: 0, max: 255 };
      await writeFile(join(d, 'task.json'), JSON.stringify({ name: 't', source: 'a.nii', target: 'b.nii.gz', plane: 'axial', test: { every: 2, offset: 0 }, size: [16, 16], window: { source: window, target: window } }));
      await translator('identity')(d);
    },
    args: evaluate('identity.onnx', '--task', 'task.json'),
    code: 2,
    stderr: /^genbench: \S*b\.nii\.gz: grid 4x4x5 differs from \S*a\.nii \(4x4x6\); a volume pair needs one grid/,
  },
  {
    name: 'translator whose output shape differs from the targets',
    setup: async (d) => {
      await pairs(d);
      await translator('pool')(d);
    },
    args: evaluate('pool.onnx', '--pairs', 'P.npz'),
    code: 2,
    stderr: /^genbench: \S*pool\.genbench\.json: field 'output_shape' \[1,8,8\] is 8x8x1 \(HxWxC\) but the target images of P\.npz are 16x16x1/,
  },
  {
    name: 'TF.js translator whose output shape differs from the targets',
    setup: async (d) => {
      await pairs(d);
      await writeTfjsTranslator(join(d, 'tfjs-pool'), { kind: 'pool', shape: [16, 16, 1] });
    },
    args: evaluate('tfjs-pool', '--pairs', 'P.npz'),
    code: 2,
    stderr: /^genbench: \S*tfjs-pool\/genbench\.json: field 'output_shape' \[8,8,1\] is 8x8x1 \(HxWxC\) but the target images of P\.npz are 16x16x1/,
  },
  {
    name: 'TF.js translator whose model.json names a shard that is missing',
    setup: async (d) => {
      await pairs(d);
      await writeTfjsTranslator(join(d, 'tfjs-conv'), { kind: 'conv', shape: [16, 16, 1] });
      await rm(join(d, 'tfjs-conv', 'weights.bin'));
    },
    args: evaluate('tfjs-conv', '--pairs', 'P.npz'),
    code: 2,
    stderr: /^genbench: \S*tfjs-conv\/weights\.bin: weight shard listed in \S*tfjs-conv\/model\.json is missing; copy the whole model folder$/,
  },
  {
    name: '.npz of pairs without source and target arrays',
    setup: async (d) => {
      await pairs(d, { images: [4, 16, 16] });
      await translator('identity')(d);
    },
    args: evaluate('identity.onnx', '--pairs', 'P.npz'),
    code: 2,
    stderr: /^genbench: P\.npz: no array 'source'; save the pairs with np\.savez\(path, source=\.\.\., target=\.\.\.\)/,
  },
  {
    name: 'translator that produces NaN',
    setup: async (d) => {
      await pairs(d);
      await translator('nan')(d);
    },
    args: evaluate('nan.onnx', '--pairs', 'P.npz'),
    code: 2,
    stderr: /^genbench: translator nan-translator \(\S*nan\.onnx\) produced NaN at output value 0; check its weights/,
  },
  {
    name: 'translator whose outputs lie outside its declared range',
    setup: async (d) => {
      await pairs(d);
      await translator('x255')(d);
    },
    args: evaluate('x255.onnx', '--pairs', 'P.npz'),
    code: 2,
    stderr: /^genbench: \S*x255\.genbench\.json: field 'output_range' says \[0,1\] but x255-translator output 127\.5/,
  },
  {
    name: '.npz of pairs with more targets than sources',
    setup: async (d) => {
      await pairs(d, { source: [4, 16, 16], target: [5, 16, 16] });
      await translator('identity')(d);
    },
    args: evaluate('identity.onnx', '--pairs', 'P.npz'),
    code: 2,
    stderr: /^genbench: P\.npz: source holds 4 images but target 5; pairs need one target per source image/,
  },
  {
    name: 'folder of pairs with a source image that has no target',
    setup: async (d) => {
      for (const side of ['source', 'target']) await mkdir(join(d, 'pairs', side), { recursive: true });
      for (const name of ['a.png', 'b.png']) await writeFile(join(d, 'pairs', 'source', name), encodePngAs(new Uint8Array(256), 16, 16, 1));
      await writeFile(join(d, 'pairs', 'target', 'a.png'), encodePngAs(new Uint8Array(256), 16, 16, 1));
      await translator('identity')(d);
    },
    args: evaluate('identity.onnx', '--pairs', 'pairs'),
    code: 2,
    stderr: /^genbench: pairs\/source\/b\.png: no file of that name in pairs\/target; every source image needs its target/,
  },
  {
    name: 'translation task that is not built in',
    setup: translator('identity'),
    args: evaluate('identity.onnx', '--task', 'no-such-task'),
    code: 2,
    stderr: /^genbench: unknown translation task 'no-such-task'; built-in tasks are colin27-t1-bet, colin27-t1-aal, pneumonia-sr2, pneumonia-denoise, pneumonia-normal-to-pneumonia \(or give a task spec \.json\)$/,
  },
  {
    name: 'unpaired source images without target images',
    setup: async (d) => {
      await images(d, 'a.npy');
      await translator('identity')(d);
    },
    args: evaluate('identity.onnx', '--source', 'a.npy'),
    code: 2,
    stderr: /^genbench: --source: give --source IMAGES and --target IMAGES together \(the two domains of unpaired data\)$/,
  },
  {
    name: 'reverse translator whose output shape is not the sources shape',
    setup: async (d) => {
      await images(d, 'a.npy');
      await images(d, 'b.npy');
      await translator('identity')(d);
      await translator('pool')(d);
    },
    args: evaluate('identity.onnx', '--source', 'a.npy', '--target', 'b.npy', '--reverse-translator', 'pool.onnx'),
    code: 2,
    stderr: /^genbench: \S*pool\.genbench\.json: field 'output_shape' \[1,8,8\] is 8x8x1 \(HxWxC\) but identity-translator takes 16x16x1; a reverse translator takes the outputs back to the sources$/,
  },
  {
    name: 'unpaired --classifier that is not a built-in classifier or a checkpoint',
    setup: unpaired(),
    args: evaluate('identity.onnx', '--source', 'a.npy', '--target', 'b.npy', '--classifier', 'classifier:cifar10', '--target-class', '0'),
    code: 2,
    stderr: /^genbench: --classifier classifier:cifar10: no built-in classifier 'cifar10' \(classifier:mnist, classifier:pneumoniamnist, classifier:polygons\) and no checkpoint at cifar10; train one with 'genbench train --model classifier --dataset DATA --out DIR' and give classifier:DIR$/,
  },
  {
    name: 'unpaired --classifier naming a feature extractor that is no classifier',
    setup: unpaired(),
    args: evaluate('identity.onnx', '--source', 'a.npy', '--target', 'b.npy', '--classifier', 'mobilenet-v1-0.75', '--target-class', '0'),
    code: 2,
    stderr: /^genbench: --classifier 'mobilenet-v1-0\.75': give classifier:<dataset> \(classifier:mnist, classifier:pneumoniamnist, classifier:polygons\) or classifier:<run folder> of 'genbench train --model classifier'$/,
  },
  {
    name: 'unpaired --target-class beyond the classifier classes',
    setup: unpaired(),
    args: evaluate('identity.onnx', '--source', 'a.npy', '--target', 'b.npy', '--classifier', 'classifier:mnist', '--target-class', '10'),
    code: 2,
    stderr: /^genbench: --target-class '10': classifier:mnist has 10 classes; give a label 0\.\.9$/,
  },
  {
    name: 'unpaired --target-class that names no class of the classifier',
    setup: unpaired(),
    args: evaluate('identity.onnx', '--source', 'a.npy', '--target', 'b.npy', '--classifier', 'classifier:pneumoniamnist', '--target-class', 'covid'),
    code: 2,
    stderr: /^genbench: --target-class 'covid': classifier:pneumoniamnist has 2 classes; give a label 0\.\.1 or a class name \(normal, pneumonia\)$/,
  },
  {
    name: 'unpaired images of another aspect ratio than the classifier input',
    setup: unpaired([16, 32]),
    args: evaluate('identity.onnx', '--source', 'a.npy', '--target', 'b.npy', '--classifier', 'classifier:mnist', '--target-class', '7', '--extractor', 'none'),
    code: 2,
    stderr: /^genbench: --classifier classifier:mnist: takes 28x28 images and a\.npy holds 16x32; resizing them would change their aspect ratio \(give images of the classifier's shape, or another --classifier\)$/,
  },
  {
    name: 'unpaired --target-class without --classifier',
    setup: unpaired(),
    args: evaluate('identity.onnx', '--source', 'a.npy', '--target', 'b.npy', '--target-class', '7'),
    code: 2,
    stderr: /^genbench: --target-class: give it with --classifier classifier:<dataset> \(the classifier whose class it names\)$/,
  },
  {
    name: 'unpaired --classifier without --target-class',
    setup: unpaired(),
    args: evaluate('identity.onnx', '--source', 'a.npy', '--target', 'b.npy', '--classifier', 'classifier:mnist'),
    code: 2,
    stderr: /^genbench: --classifier classifier:mnist: give --target-class too \(the target domain's class: a class name or a label\)$/,
  },
  {
    name: '--discriminator on --pairs whose targets are label maps (--labels)',
    setup: async (d) => {
      await pairs(d);
      await translator('identity')(d);
    },
    args: evaluate('identity.onnx', '--pairs', 'P.npz', '--labels', '3', '--discriminator', 'disc.onnx'),
    code: 2,
    stderr: /^genbench: --discriminator: with --labels the targets are label maps, scored by Dice; feature matching compares images, not label codes$/,
  },
  {
    name: '--discriminator on a segmentation task',
    needsAssets: true,
    setup: async (d) => {
      await writeNifti(join(d, 'a.nii'), { dims: [8, 8, 6], values: rampValues([8, 8, 6]) });
      await writeNifti(join(d, 'l.nii'), { dims: [8, 8, 6], values: Array.from({ length: 8 * 8 * 6 }, (_, i) => i % 3) });
      const window = { source: { kind: 'range', min: 0, max: 255 }, target: { kind: 'labels' } };
      await writeFile(join(d, 'seg.json'), JSON.stringify({ name: 'seg', source: 'a.nii', target: 'l.nii', plane: 'axial', test: { every: 2, offset: 0 }, size: [28, 28], window }));
      await translator('identity', 28)(d);
      await discriminator(d);
    },
    args: evaluate('identity.onnx', '--task', 'seg.json', '--discriminator', 'disc.onnx', '--extractor', 'none'),
    code: 2,
    stderr: /^genbench: --discriminator: the targets of seg are label maps, scored by Dice; feature matching compares images, not label codes$/,
  },
  {
    name: '--discriminator on unpaired --source/--target images',
    setup: unpaired(),
    args: evaluate('identity.onnx', '--source', 'a.npy', '--target', 'b.npy', '--discriminator', 'disc.onnx'),
    code: 2,
    stderr: /^genbench: --discriminator: --source\/--target images are unpaired: there are no pairs to compare through the discriminator \(give --pairs or a paired --task\)$/,
  },
  {
    name: '--discriminator on an unpaired task',
    setup: translator('identity', 28),
    args: evaluate('identity.onnx', '--task', 'pneumonia-normal-to-pneumonia', '--discriminator', 'disc.onnx'),
    code: 2,
    stderr: /^genbench: --discriminator: task pneumonia-normal-to-pneumonia is unpaired: there are no pairs to compare through the discriminator$/,
  },
  {
    name: '--discriminator whose input shape differs from the outputs',
    needsAssets: true,
    setup: async (d) => {
      await pairs(d);
      await translator('identity')(d);
      await discriminator(d);
    },
    args: evaluate('identity.onnx', '--pairs', 'P.npz', '--discriminator', 'disc.onnx'),
    code: 2,
    stderr: /^genbench: --discriminator \S*disc\.genbench\.json: takes 28x28x1 images \(HxWxC\) but the outputs of identity-translator are 16x16x1; give a discriminator of their shape$/,
  },
  {
    name: '--classifier on a task, which names its own',
    setup: translator('identity', 28),
    args: evaluate('identity.onnx', '--task', 'pneumonia-normal-to-pneumonia', '--classifier', 'classifier:mnist', '--target-class', '7'),
    code: 2,
    stderr: /^genbench: --classifier: only for --source\/--target data \(a task names its own classifier; --no-classifier skips it\)$/,
  },
];

/** disc.onnx with its manifest: the shared MNIST DCGAN discriminator (28x28x1; layers f1, f2, logit). */
async function discriminator(d: string): Promise<void> {
  const from = join(sharedAssets(), 'fixtures/submissions/mnist-dcgan-disc');
  await copyFile(`${from}.onnx`, join(d, 'disc.onnx'));
  await writeFile(join(d, 'disc.genbench.json'), JSON.stringify({ ...JSON.parse(await readFile(`${from}.genbench.json`, 'utf8')), file: 'disc.onnx' }));
}

/** NAME.npy: 4 uint8 images of 16x16 (or `size`). */
async function images(d: string, name: string, size: readonly [number, number] = [16, 16]): Promise<void> {
  const [h, w] = size;
  await writeFile(join(d, name), encodeNpy(Uint8Array.from({ length: 4 * h * w }, (_, i) => (i * 7) % 256), [4, h, w]));
}

/** a.npy and b.npy of `size` and an identity translator of that size: unpaired data for the classifier cases. */
function unpaired(size: readonly [number, number] = [16, 16]): (d: string) => Promise<void> {
  return async (d) => {
    await images(d, 'a.npy', size);
    await images(d, 'b.npy', size);
    await writeTranslator(join(d, 'identity.onnx'), { kind: 'identity', shape: [1, size[0], size[1]] });
  };
}
