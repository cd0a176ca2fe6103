import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { GenbenchError } from '../errors.js';
import { resolveLinks } from './output-path.js';

/**
 * Writes `data` to `path` atomically: into a temporary file beside it, fsync, then rename over the target.
 * A crash or Ctrl-C leaves either the old file or the new one, never half of one; the CLI's signal handler also
 * removes the temporary files of writes still under way (removePendingTemps), so Ctrl-C leaves none behind.
 *
 * Only a regular file (or nothing) is ever renamed over: a symbolic link is followed and the file it points to is
 * replaced (the link stays); a FIFO or character device (`/dev/null`) is written into; a folder, socket or block
 * device is an INPUT error. A failed write (disk full, read-only filesystem, permission) is an INPUT error naming
 * the path and leaves no temporary file behind.
 *
 * @example
 * await writeFileAtomic('runs/report.json', '{}\n'); // runs/report.json holds '{}\n' (runs/ created if missing)
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const target = await resolveLinks(path);
  const info = await stat(target).catch(() => null);
  if (info !== null && (info.isFIFO() || info.isCharacterDevice())) return writeThrough(path, target, data);
  if (info !== null && !info.isFile()) throw new GenbenchError('INPUT', `${path}: cannot write, it is ${info.isDirectory() ? 'a folder' : 'not a regular file'}`);
  try {
    await mkdir(dirname(target), { recursive: true });
  } catch (e) {
    throw writeError(path, e);
  }
  const tmp = tempPathFor(target);
  pending.add(tmp);
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    // the target may have changed while writing: rename only onto a regular file or onto nothing
    const now = await lstat(target).catch(() => null);
    if (now !== null && !now.isFile()) throw new GenbenchError('INPUT', `${path}: changed into something other than a regular file while genbench wrote it; not replaced`);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw writeError(path, e);
  } finally {
    pending.delete(tmp);
  }
}

/** Temporary files of writeFileAtomic calls under way (created or about to be, not yet renamed or removed). */
const pending = new Set<string>();

/**
 * Removes, synchronously, the temporary file of every atomic write still under way: for a process about to exit on
 * a signal, which must leave no temporary file behind (the targets are untouched: their old content, or nothing).
 *
 * @example
 * process.once('SIGTERM', () => { removePendingTemps(); process.exit(143); });
 */
export function removePendingTemps(): void {
  for (const tmp of [...pending]) {
    pending.delete(tmp);
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing more can be done on the way out
    }
  }
}

/** A unique temporary name in the same folder as `path` (same filesystem, so rename is atomic). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Into an existing FIFO or character device: no temporary file, no rename (the device node stays as it is). */
async function writeThrough(path: string, target: string, data: Uint8Array | string): Promise<void> {
  try {
    const fh = await open(target, 'a');
    try {
      await fh.writeFile(data);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw writeError(path, e);
  }
}

/** File system errors as one-line INPUT errors naming the path; genbench's own errors pass unchanged. */
function writeError(path: string, e: unknown): unknown {
  if (e instanceof GenbenchError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string') return e;
  const why: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EROFS: 'read-only filesystem',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'it is a folder',
    ENOTDIR: 'a part of the path is not a folder',
    ENOENT: 'the folder does not exist',
    EFBIG: 'file too large',
    EIO: 'input/output error',
  };
  return new GenbenchError('INPUT', `${path}: cannot write (${code}: ${why[code] ?? (e as Error).message})`, { cause: e });
}
