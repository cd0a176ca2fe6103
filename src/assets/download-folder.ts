import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GenbenchError } from '../errors.js';
import { tempPathFor } from '../io/atomic.js';
import type { Progress } from '../progress.js';
import { tryEach } from './download.js';
import { fetchToFile, sweepStaleTemps } from './fetch.js';
import { modelJsonFiles, treeSha256 } from './hash.js';
import type { AssetSpec } from './registry.js';
import { verifyFolder, type FolderCheck } from './verify.js';

/**
 * Downloads a TF.js model folder asset to `dest`: model.json from each url in turn, then every shard its
 * weightsManifest lists (relative to model.json's URL), all into a temp folder beside `dest`; the tree hash is
 * checked and the temp folder renamed into place. A failure removes the temp folder. If another process renamed
 * its copy into place first, that copy is verified and used. Progress counts files.
 *
 * @example
 * await downloadFolder(assetSpec('models/mobilenet_v1_0.25_224')!, urls, home + '/models/mobilenet_v1_0.25_224');
 * // { treeSha256: '05aab648...', files: [...56 names], checkedBy: 'tree-sha256' }
 */
export async function downloadFolder(spec: AssetSpec, urls: readonly string[], dest: string, progress?: Progress): Promise<FolderCheck> {
  await mkdir(dirname(dest), { recursive: true });
  await sweepStaleTemps(dest);
  return tryEach(spec, urls, dest, (url) => downloadFolderOnce(spec, url, dest, progress));
}

async function downloadFolderOnce(spec: AssetSpec, url: string, dest: string, progress?: Progress): Promise<FolderCheck> {
  const tmp = tempPathFor(dest);
  await mkdir(tmp);
  try {
    await fetchToFile(url, join(tmp, 'model.json'));
    const files = parseModelJson(await readFile(join(tmp, 'model.json'), 'utf8'));
    progress?.start(files.length, spec.id);
    progress?.tick(1, 'model.json');
    for (const name of files) {
      if (name === 'model.json') continue;
      await fetchToFile(new URL(name, url).href, join(tmp, name)).catch((e: GenbenchError) => {
        throw new GenbenchError(e.code, `${name}: ${e.message}`, { cause: e });
      });
      progress?.tick(1, name);
    }
    const tree = await treeSha256(tmp, files);
    if (spec.treeSha256 !== undefined && tree !== spec.treeSha256) {
      throw new GenbenchError('CHECKSUM', `served wrong files: tree sha256 ${tree} (expected ${spec.treeSha256})`);
    }
    return await moveIntoPlace(tmp, dest, spec, { treeSha256: tree, files, checkedBy: spec.treeSha256 ? 'tree-sha256' : 'unchecked' });
  } finally {
    progress?.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

function parseModelJson(text: string): string[] {
  try {
    return modelJsonFiles(JSON.parse(text) as unknown);
  } catch (e) {
    throw new GenbenchError('CHECKSUM', `served a bad model.json (${(e as Error).message})`, { cause: e });
  }
}

async function moveIntoPlace(tmp: string, dest: string, spec: AssetSpec, check: FolderCheck): Promise<FolderCheck> {
  try {
    await rename(tmp, dest);
    return check;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    return verifyFolder(dest, spec); // another process won the race; its copy must pass the same check
  }
}
