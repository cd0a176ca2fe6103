import { basename, dirname, join } from 'node:path';
import { sha256File } from '../assets/index.js';
import { GenbenchError } from '../errors.js';
import type { CheckpointManifest } from './manifest.js';
import { shardPath } from '../io/tfjs-model-files.js';

/**
 * sha256 checks of a checkpoint against its manifest, before anything is loaded. `sha256` is always the hash of
 * `file` (the .onnx, or model.json of a folder); `files` maps the other files of a folder (relative names) to
 * theirs. A folder checkpoint must list model.json and every weight shard, so that a score pins every byte.
 *
 * @example
 * const sha = await verifyChecksums({ manifest, manifestPath, mainFile: '/subs/g.onnx', required: [] });
 */
export interface ChecksumRequest {
  readonly manifest: Pick<CheckpointManifest, 'sha256' | 'files'>;
  readonly manifestPath: string;
  /** Absolute path of `manifest.file`. */
  readonly mainFile: string;
  /** Files (relative to the main file's folder) that `files` must list, e.g. the weight shards. */
  readonly required: readonly string[];
  /** Compute hashes but do not compare them. */
  readonly skip?: boolean;
}

/** Returns the sha256 of the main file; CHECKSUM error naming the first file whose hash differs. */
export async function verifyChecksums(req: ChecksumRequest): Promise<string> {
  const { manifest: m, manifestPath } = req;
  const folder = dirname(req.mainFile);
  const mainName = basename(req.mainFile);
  const listed = { ...(m.files ?? {}) };
  if (m.sha256 !== undefined) listed[mainName] = m.sha256;
  if (!req.skip) {
    if (m.sha256 === undefined && m.files === undefined) {
      throw new GenbenchError(
        'INPUT',
        `${manifestPath}: field 'sha256' is missing; add "sha256": "<sha256sum of ${mainName}>"` +
        (req.required.length > 0 ? ' and a "files" map with the sha256 of each weight shard' : ''),
      );
    }
    for (const name of [mainName, ...req.required]) {
      if (listed[name] === undefined) {
        throw new GenbenchError('INPUT', `${manifestPath}: field 'files' has no sha256 for '${name}'; add "${name}": "<sha256sum>"`);
      }
    }
  }
  let mainSha = '';
  for (const [name, want] of Object.entries(listed)) {
    const file = name === mainName ? req.mainFile : join(folder, name);
    if (name !== mainName) shardPath(req.mainFile, name); // refuses names outside the folder
    const got = await sha256File(file).catch((e: NodeJS.ErrnoException) => {
      throw new GenbenchError('NOT_FOUND', `${file}: listed in ${manifestPath} but cannot be read (${e.code ?? e})`);
    });
    if (name === mainName) mainSha = got;
    if (!req.skip && got !== want) {
      throw new GenbenchError(
        'CHECKSUM',
        `${file}: sha256 is ${got} but ${manifestPath} says ${want}; the file changed or is corrupt (copy it again, or fix the manifest)`,
      );
    }
  }
  return mainSha || (await sha256File(req.mainFile));
}
