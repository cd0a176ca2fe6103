import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GenbenchError, isGenbenchError } from '../errors.js';
import { tempPathFor } from '../io/atomic.js';
import type { Progress } from '../progress.js';
import { fetchToFile, sweepStaleTemps } from './fetch.js';
import { rememberHash } from './hash.js';
import type { AssetSpec } from './registry.js';
import { checkFile, type FileCheck } from './verify.js';

/**
 * Downloads a file asset to `dest` (inside GENBENCH_HOME): each url in turn streams into a temp file beside `dest`,
 * is checked for size and hash, and only then renamed into place, so `dest` is never partial and concurrent
 * downloads of the same file cannot corrupt it (each writes its own temp; rename is atomic). Every failure removes
 * its temp file. Throws GenbenchError 'CHECKSUM' if a source served wrong bytes (and none served right ones),
 * else 'NETWORK', naming every url tried and why it failed.
 *
 * @example
 * await downloadFile(assetSpec('datasets/mnist/train-labels-idx1-ubyte.gz')!, urls, '/home/ada/.cache/genbench/datasets/mnist/train-labels-idx1-ubyte.gz');
 * // { sha256: '3552534a...', checkedBy: 'sha256' }
 */
export async function downloadFile(spec: AssetSpec, urls: readonly string[], dest: string, progress?: Progress): Promise<FileCheck> {
  await mkdir(dirname(dest), { recursive: true });
  await sweepStaleTemps(dest);
  return tryEach(spec, urls, dest, (url) => downloadOnce(spec, url, dest, progress));
}

async function downloadOnce(spec: AssetSpec, url: string, dest: string, progress?: Progress): Promise<FileCheck> {
  const tmp = tempPathFor(dest);
  try {
    await fetchToFile(url, tmp, {
      ...(spec.bytes === undefined ? {} : { bytes: spec.bytes }),
      ...(progress === undefined ? {} : { progress }),
      label: spec.id,
    });
    const check = await checkFile(tmp, spec);
    if ('mismatch' in check) throw new GenbenchError('CHECKSUM', `served wrong bytes: ${check.mismatch}`);
    await rename(tmp, dest);
    await rememberHash('sha256', dest, check.sha256);
    return check;
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Runs `attempt` on each url until one succeeds; the error it throws otherwise names every url and its reason.
 * Shared by file and folder downloads.
 */
export async function tryEach<T>(spec: AssetSpec, urls: readonly string[], dest: string, attempt: (url: string) => Promise<T>): Promise<T> {
  const failures: { url: string; error: GenbenchError }[] = [];
  for (const url of urls) {
    try {
      return await attempt(url);
    } catch (e) {
      if (!isGenbenchError(e) || (e.code !== 'NETWORK' && e.code !== 'CHECKSUM')) throw e;
      failures.push({ url, error: e });
    }
  }
  if (failures.length === 0) {
    throw new GenbenchError('NOT_FOUND', `${spec.id}: no download URL is known; ${spec.howToProvide ?? `put it at ${dest}`}`);
  }
  const code = failures.some((f) => f.error.code === 'CHECKSUM') ? 'CHECKSUM' : 'NETWORK';
  const reasons = failures.map((f) => `${f.url} -> ${f.error.message}`).join('; ');
  const fix = `check the network (or set GENBENCH_MIRROR), or put a good copy at ${dest} or in a GENBENCH_ASSETS folder`;
  throw new GenbenchError(code, `${spec.id}: download failed from ${failures.length} source(s): ${reasons}; nothing was saved; ${fix}`, {
    cause: failures[failures.length - 1]?.error,
  });
}
