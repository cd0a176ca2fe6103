/**
 * Assets: datasets and models genbench finds on disk or downloads, always checked against the registry.
 *
 * Lookup order: every GENBENCH_ASSETS folder (read-only, never written), then GENBENCH_HOME (default
 * ~/.cache/genbench, holding datasets/ and models/), then a verified download into GENBENCH_HOME (unless offline:
 * opts.offline or GENBENCH_OFFLINE=1). GENBENCH_MIRROR=<base url>[,<base url>...] replaces the official URLs by
 * `<base>/<id>` (a local or corporate mirror laid out like an asset root; tests use a server on 127.0.0.1).
 */
export { resolveAsset, resolveAssetFolder, notFoundError, type ResolvedAsset, type ResolvedFolder } from './resolve.js';
export {
  genbenchHome,
  assetRoots,
  assetSpec,
  downloadUrls,
  isOffline,
  placesFor,
  type Place,
  type ResolveOptions,
} from './lookup.js';
export { sha256File, hashFile, treeSha256, modelFolderFiles, clearHashMemo, type HashKind } from './hash.js';
export { verifyFile, verifyFolder, checkFile, type CheckedBy, type FileCheck, type FolderCheck } from './verify.js';
export { downloadFile } from './download.js';
export { downloadFolder } from './download-folder.js';
export { inspectAsset, type AssetStatus } from './status.js';
export { ASSETS, type AssetSpec } from './registry.js';
