import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../store/index.js';
import type { ModelRecord } from '../store/models.js';
import { submissionFiles, type SubmissionRecord } from '../store/submissions.js';

/**
 * Rebuilds a stored checkpoint in a work folder for the evaluation process: links to the content-addressed blobs
 * (their local copies, fetched from PostgreSQL when the store keeps them there) under their upload names, and the model's manifest under the name the loader expects (`X.genbench.json` beside
 * `X.onnx`, `genbench.json` beside model.json). Returns the manifest's file name.
 *
 * @example
 * await checkpointFolder(store, submission, model, dir); // 'mnist-dcgan.genbench.json' (dir/mnist-dcgan.onnx links to its blob)
 */
export async function checkpointFolder(store: Store, sub: SubmissionRecord, model: ModelRecord, dir: string): Promise<string> {
  for (const f of await submissionFiles(store.sql, sub.id)) {
    if (f.name === 'genbench.json' || f.name.endsWith('.genbench.json') || f.name === 'report.json') continue;
    await symlink(await store.blobs.localPath(f.sha256), join(dir, f.name));
  }
  const manifestName = model.format === 'onnx' ? `${sub.mainFile.replace(/\.onnx$/, '')}.genbench.json` : 'genbench.json';
  await writeFile(join(dir, manifestName), JSON.stringify(model.manifest));
  return manifestName;
}
