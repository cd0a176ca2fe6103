import { execFileSync } from 'node:child_process';
import { lstat, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { encodePng } from '../../src/io/png.js';
import { onnxGenerator } from './files.js';

/** One bad-input case for cli.test.ts: the files it needs, the command line, and what must happen. */
export interface Case {
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

const isRoot = process.getuid?.() === 0;

export async function generator(dir: string, nan = false): Promise<void> {
  await onnxGenerator(join(dir, 'g.onnx'), { nan });
}

export async function tinyFolder(dir: string): Promise<void> {
  await mkdir(join(dir, 'imgs'), { recursive: true });
  for (let i = 0; i < 3; i++) await writeFile(join(dir, 'imgs', `${i}.png`), encodePng(new Uint8Array(16).fill(i * 60), 4, 4, 1));
}

export async function charDevice(path: string): Promise<void> {
  expect((await lstat(path)).isCharacterDevice(), `${path} is still a character device`).toBe(true);
}

/**
 * A private copy of a device node (`null` 1:3, `full` 1:7) in the case's folder, so that a regression that renames
 * over its output clobbers only this copy, never the machine's /dev/null. Needs root (mknod); false otherwise.
 */
export async function deviceNode(dir: string, name: 'null' | 'full'): Promise<boolean> {
  if (!isRoot) return false;
  try {
    execFileSync('mknod', ['-m', '666', join(dir, `dev-${name}`), 'c', '1', name === 'null' ? '3' : '7'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
