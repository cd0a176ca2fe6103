import { lstat, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { charDevice, deviceNode, generator, tinyFolder, type Case } from './case.js';

/** Bad output paths: folders, /proc, a file in the way, the same file twice, devices, symbolic links, databases. */
export const OUTPUT_CASES: readonly Case[] = [
  {
    name: 'datasets show --grid naming a folder',
    setup: async (d) => {
      await tinyFolder(d);
      await mkdir(join(d, 'out'));
    },
    args: ['datasets', 'show', 'imgs', '--grid', 'out'],
    code: 2,
    stderr: /^genbench: --grid out: is a folder; give a file name/,
  },
  {
    name: 'sample --out naming a folder',
    setup: async (d) => {
      await generator(d);
      await mkdir(join(d, 'out'));
    },
    args: ['sample', '--generator', 'g.onnx', '--out', 'out'],
    code: 2,
    stderr: /^genbench: --out out: is a folder; give a file name/,
  },
  {
    name: 'sample --grid naming a folder with --out: neither written',
    setup: async (d) => {
      await generator(d);
      await mkdir(join(d, 'g.png'));
    },
    args: ['sample', '--generator', 'g.onnx', '--out', 'x.npy', '--grid', 'g.png'],
    code: 2,
    stderr: /^genbench: --grid g\.png: is a folder/,
  },
  {
    name: 'sample --out under /proc',
    setup: generator,
    args: ['sample', '--generator', 'g.onnx', '--out', '/proc/genbench-bad-input.npy'],
    code: 2,
    stderr: /^genbench: --out \/proc\/genbench-bad-input\.npy: \/proc is on a kernel filesystem/,
  },
  {
    name: 'sample --out with a missing parent under a file',
    setup: async (d) => {
      await generator(d);
      await writeFile(join(d, 'afile'), 'x');
    },
    args: ['sample', '--generator', 'g.onnx', '--out', 'afile/x.npy'],
    code: 2,
    stderr: /^genbench: --out afile\/x\.npy: .*afile is a file, not a folder/,
  },
  {
    name: 'sample --out and --grid naming the same file',
    setup: generator,
    args: ['sample', '--generator', 'g.onnx', '--out', 'x', '--grid', 'x'],
    code: 2,
    stderr: /^genbench: --grid and --out name the same file x/,
  },
  {
    name: 'train --out naming an existing file',
    setup: (d) => writeFile(join(d, 'run'), 'not a folder'),
    args: ['train', '--model', 'dcgan', '--dataset', 'mnist', '--out', 'run', '--minutes', '0.05'],
    code: 2,
    stderr: /^genbench: --out run: is a file, not a folder/,
  },
  {
    name: 'admin token --db naming a folder',
    setup: (d) => mkdir(join(d, 'db')),
    args: ['admin', 'token', '--db', 'db'],
    code: 2,
    stderr: /^genbench: db: is a folder, not a database file/,
  },
  {
    name: 'admin token --db naming a file that is not SQLite',
    setup: (d) => writeFile(join(d, 'notes.txt'), 'some notes, not a database\n'),
    args: ['admin', 'token', '--db', 'notes.txt'],
    code: 2,
    stderr: /^genbench: notes\.txt: not a SQLite database/,
    check: async (d) => expect(await readFile(join(d, 'notes.txt'), 'utf8')).toBe('some notes, not a database\n'),
  },
  {
    name: 'sample --grid naming a null device is written through, the device stays',
    setup: async (d) => (await deviceNode(d, 'null')) && generator(d),
    args: ['sample', '--generator', 'g.onnx', '--grid', 'dev-null'],
    code: 0,
    check: (d) => charDevice(join(d, 'dev-null')),
  },
  {
    name: 'sample --out naming a full device fails, the device stays',
    setup: async (d) => (await deviceNode(d, 'full')) && generator(d),
    args: ['sample', '--generator', 'g.onnx', '--out', 'dev-full'],
    code: 2,
    stderr: /^genbench: \S*dev-full: cannot write \(ENOSPC: no space left on the device\)$/,
    check: (d) => charDevice(join(d, 'dev-full')),
  },
  {
    name: 'sample --out through a symbolic link: the target is replaced, the link stays',
    setup: async (d) => {
      await generator(d);
      await writeFile(join(d, 'target.npy'), 'old');
      await symlink('target.npy', join(d, 'link.npy'));
    },
    args: ['sample', '--generator', 'g.onnx', '--out', 'link.npy'],
    code: 0,
    check: async (d) => {
      expect((await lstat(join(d, 'link.npy'))).isSymbolicLink()).toBe(true);
      expect((await readFile(join(d, 'target.npy'))).subarray(1, 6).toString()).toBe('NUMPY');
    },
  },
];
