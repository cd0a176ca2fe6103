import { constants } from 'node:fs';
import { access, lstat, readlink, realpath, stat, statfs } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { GenbenchError } from '../errors.js';

/**
 * Where an output file goes, checked before any work starts, so that a bad `--out` fails in a second, not after an
 * hour of sampling, and nothing is written half-way:
 * - a regular file, or a name that does not exist yet: written atomically (temp file beside it, then rename);
 *   missing folders on the way are created, but the nearest existing one must be a writable folder;
 * - a symbolic link: followed; the file it points to is replaced atomically (the link stays a link);
 * - a FIFO or a character device (`/dev/null`, `/dev/stdout`): written into directly, never renamed over;
 * - refused: a folder, a socket, a block device, anything on /proc, /sys or a similar kernel filesystem.
 */
export interface OutputTarget {
  /** The path as the user gave it (for messages). */
  readonly given: string;
  /** Absolute path that receives the bytes: symbolic links resolved. */
  readonly path: string;
  /** 'atomic': temp file + rename onto `path`; 'through': written into an existing FIFO or device, no rename. */
  readonly mode: 'atomic' | 'through';
}

const MAX_LINKS = 40;
/** statfs magic numbers of kernel filesystems whose files are not data files (proc, sysfs, debugfs, tracefs, cgroup, securityfs). */
const KERNEL_FS = new Set([0x9fa0, 0x62656572, 0x64626720, 0x74726163, 0x27e0eb, 0x63677270, 0x73636673]);

/**
 * Checks an output path for a flag (`what`, e.g. '--out') and says how it will be written; a path that cannot be
 * written is a USAGE error naming the flag and the path.
 *
 * @example
 * await checkOutputPath('runs/report.json', '--out'); // { given: 'runs/report.json', path: '/home/me/runs/report.json', mode: 'atomic' }
 * await checkOutputPath('/dev/null', '--grid');       // { given: '/dev/null', path: '/dev/null', mode: 'through' }
 * await checkOutputPath('runs', '--out');             // throws GenbenchError: --out runs: is a folder; give a file name (e.g. one inside it)
 */
export async function checkOutputPath(given: string, what: string): Promise<OutputTarget> {
  const fail = (why: string): never => {
    throw new GenbenchError('USAGE', `${what} ${given}: ${why}`);
  };
  if (given.trim() === '') fail('empty path');
  const path = await followLinks(resolve(given), fail);
  const info = await stat(path).catch(() => null);
  if (info !== null) {
    const kind = refusedKind(info);
    if (kind !== undefined) fail(`is ${kind}; give a file name${info.isDirectory() ? ` (e.g. one inside it)` : ''}`);
    if (info.isFIFO() || info.isCharacterDevice()) return { given, path, mode: 'through' };
  }
  await checkFolder(dirname(path), fail);
  return { given, path, mode: 'atomic' };
}

/**
 * Checks a folder that a command will create or fill (e.g. `train --out`): it may exist as a folder or not exist
 * yet (created later), but not be a file, and its nearest existing ancestor must be a writable folder.
 *
 * @example
 * await checkOutputFolder('runs/dcgan', '--out'); // '/home/me/runs/dcgan'
 */
export async function checkOutputFolder(given: string, what: string): Promise<string> {
  const fail = (why: string): never => {
    throw new GenbenchError('USAGE', `${what} ${given}: ${why}`);
  };
  if (given.trim() === '') fail('empty path');
  const path = await followLinks(resolve(given), fail);
  const info = await stat(path).catch(() => null);
  if (info !== null && !info.isDirectory()) fail(`is ${describe(info)}, not a folder; give a folder name (it is created when missing)`);
  await checkFolder(info === null ? dirname(path) : path, fail);
  return path;
}

/**
 * The path a write to `path` really lands on: symbolic links followed (also a dangling link's target), at most 40.
 * Relative link targets are resolved against the link's folder.
 *
 * @example
 * await resolveLinks('latest.json'); // '/home/me/runs/2026-12-03.json' when latest.json -> runs/2026-12-03.json
 */
export async function resolveLinks(path: string): Promise<string> {
  return followLinks(resolve(path), (why) => {
    throw new GenbenchError('INPUT', `${path}: ${why}`);
  });
}

async function followLinks(start: string, fail: (why: string) => never): Promise<string> {
  let path = start;
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    const info = await lstat(path).catch(() => null);
    // /proc/self/fd/N and the like are not paths to follow: stat() sees the pipe or file they stand for
    if (info === null || !info.isSymbolicLink() || /^\/proc\//.test(path)) return path;
    path = resolve(dirname(path), await readlink(path));
  }
  return fail(`more than ${MAX_LINKS} symbolic links in a row (a loop?)`);
}

/** The nearest existing folder at or above `folder` must be a writable folder on a data filesystem. */
async function checkFolder(folder: string, fail: (why: string) => never): Promise<void> {
  let dir = folder;
  let info = await stat(dir).catch(() => null);
  while (info === null && dirname(dir) !== dir) {
    dir = dirname(dir);
    info = await stat(dir).catch(() => null);
  }
  if (info === null) return fail(`no existing folder above it`);
  if (!info.isDirectory()) return fail(`${dir} is ${describe(info)}, not a folder`);
  const real = await realpath(dir).catch(() => dir);
  const fs = await statfs(real).catch(() => null);
  if (/^\/(proc|sys)(\/|$)/.test(real) || (fs !== null && KERNEL_FS.has(Number(fs.type)))) {
    return fail(`${real} is on a kernel filesystem (/proc, /sys), not a place for files`);
  }
  const writable = await access(real, constants.W_OK).then(
    () => true,
    () => false,
  );
  if (!writable) fail(`the folder ${real} is not writable`);
}

/** Why a path that exists cannot be written, or undefined when it can (regular file, FIFO, character device). */
function refusedKind(info: Stats): string | undefined {
  if (info.isFile() || info.isFIFO() || info.isCharacterDevice()) return undefined;
  return describe(info);
}

function describe(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isSocket()) return 'a socket';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice()) return 'a character device';
  return 'a file';
}
