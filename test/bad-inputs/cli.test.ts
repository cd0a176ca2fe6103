import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/io/png.js';
import { encodeNpy } from '../../src/io/npy.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { bombNpzHonest, bombNpzLying, bombNpzPixels, bombPng, onnxGenerator, sparseNpy, writeManifest } from './files.js';
import { runMeasured } from './run.js';

/**
 * The bad-input corpus through the CLI: every case runs `node dist/src/cli/bin.js` in its own folder, with
 * progress bars on (no --quiet), and must end promptly with exit 2 and one line on stderr (`genbench: ...`, no
 * stack trace), leave no file behind, and stay within a memory bound; the write-through cases (a device, a
 * symbolic link) exit 0 and leave the device node or link as it was.
 */
interface Case {
  readonly name: string;
  /** Makes the case's input files in its folder; resolving to false skips the case (e.g. no mknod here). */
  readonly setup?: (dir: string) => Promise<void | boolean>;
  readonly args: readonly string[];
  readonly code: 0 | 2;
  /** The one stderr line (exit 2); with exit 0 stderr must be empty. */
  readonly stderr?: RegExp;
  /** Peak RSS bound in MB (default 400: node + onnxruntime + the command's own small arrays). */
  readonly maxMb?: number;
  /** Extra check after the run (output files, device nodes). */
  readonly check?: (dir: string) => Promise<void>;
  readonly needsAssets?: boolean;
  readonly env?: Record<string, string>;
}

const shared = optionalSharedAssets();
const isRoot = process.getuid?.() === 0;
const TIME_LIMIT_S = 20;

async function generator(dir: string, nan = false): Promise<void> {
  await onnxGenerator(join(dir, 'g.onnx'), { nan });
}

async function tinyFolder(dir: string): Promise<void> {
  await mkdir(join(dir, 'imgs'), { recursive: true });
  for (let i = 0; i < 3; i++) await writeFile(join(dir, 'imgs', `${i}.png`), encodePng(new Uint8Array(16).fill(i * 60), 4, 4, 1));
}

async function charDevice(path: string): Promise<void> {
  expect((await lstat(path)).isCharacterDevice(), `${path} is still a character device`).toBe(true);
}

/**
 * A private copy of a device node (`null` 1:3, `full` 1:7) in the case's folder, so that a regression that renames
 * over its output clobbers only this copy, never the machine's /dev/null. Needs root (mknod); false otherwise.
 */
async function deviceNode(dir: string, name: 'null' | 'full'): Promise<boolean> {
  if (!isRoot) return false;
  try {
    execFileSync('mknod', ['-m', '666', join(dir, `dev-${name}`), 'c', '1', name === 'null' ? '3' : '7'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const CASES: readonly Case[] = [
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

/** Every path under `dir` (relative), with its kind and size, to tell what a run created or changed. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const p = join(e.parentPath, e.name);
    const s = await lstat(p);
    out.push(`${p.slice(dir.length + 1)} ${s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : s.isFile() ? s.size : 'special'}`);
  }
  return out.sort();
}

describe('bad input through the CLI: exit 2, one line, promptly, nothing written, bounded memory', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'genbench-bad-inputs-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it.concurrent.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    if (c.needsAssets && !shared) return;
    const dir = join(root, c.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60));
    await mkdir(dir, { recursive: true });
    if ((await c.setup?.(dir)) === false) return;
    const before = await snapshot(dir);
    const env = { GENBENCH_HOME: join(root, 'home'), GENBENCH_DEBUG: undefined, GENBENCH_OFFLINE: '1', ...(shared ? { GENBENCH_ASSETS: shared } : {}), ...c.env };
    const r = await runMeasured(c.args, { cwd: dir, env, timeoutMs: TIME_LIMIT_S * 1000 });
    const what = `${c.args.join(' ')}\nstderr: ${r.stderr}`;
    expect(r.killed, `hung past ${TIME_LIMIT_S} s: ${what}`).toBe(false);
    expect(r.code, what).toBe(c.code);
    if (c.code === 2) {
      expect(r.stderr.trimEnd().split('\n'), what).toHaveLength(1);
      expect(r.stderr.trimEnd(), what).toMatch(c.stderr!);
    } else {
      expect(r.stderr, what).toBe('');
    }
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.peakMb, 'peak memory was reported').toBeDefined();
    expect(r.peakMb!, `peak RSS of ${c.args.join(' ')}`).toBeLessThan(c.maxMb ?? 400);
    // nothing left behind: no output, no temporary file (the write-through cases change only what check() looks at)
    const after = await snapshot(dir);
    if (c.code === 2) expect(after, `files after ${c.args.join(' ')}`).toEqual(before);
    else expect(after.filter((f) => !before.includes(f) && !f.startsWith('target.npy '))).toEqual([]);
    await c.check?.(dir);
  });
});

describe('writing into a FIFO', () => {
  it('sample --grid FIFO writes the PNG into the pipe and leaves the FIFO in place', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'genbench-fifo-'));
    try {
      await generator(dir);
      execFileSync('mkfifo', [join(dir, 'grid.fifo')]);
      const reader = spawn('cat', [join(dir, 'grid.fifo')], { stdio: ['ignore', 'pipe', 'ignore'] });
      const chunks: Buffer[] = [];
      reader.stdout.on('data', (d: Buffer) => chunks.push(d));
      const read = new Promise<void>((resolve) => reader.on('close', () => resolve()));
      const r = await runMeasured(['sample', '--generator', 'g.onnx', '--grid', 'grid.fifo'], { cwd: dir, timeoutMs: TIME_LIMIT_S * 1000 });
      await read;
      expect(r.code, r.stderr).toBe(0);
      expect(Buffer.concat(chunks).subarray(1, 4).toString()).toBe('PNG');
      expect((await lstat(join(dir, 'grid.fifo'))).isFIFO()).toBe(true);
      expect((await readdir(dir)).sort()).toEqual(['g.genbench.json', 'g.onnx', 'grid.fifo']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('npm configuration', () => {
  it('npx genbench prints nothing on stderr (no npm config warnings)', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('npx', ['--no-install', 'genbench', '--version'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(r.stderr).toBe('');
  });

  it('still tells onnxruntime-node to skip its CUDA download', async () => {
    const npmrc = await readFile(new URL('../../.npmrc', import.meta.url), 'utf8');
    expect(npmrc).toMatch(/^onnxruntime-node-install=skip$/m);
  });
});
