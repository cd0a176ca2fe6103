/**
 * Upload caps of the submission route: bytes of the whole request (checked from Content-Length before the body is
 * read: 413 at once), bytes per file, number of files, bytes of each JSON file (manifest, model.json, report.json),
 * characters of the model name. The per-file, JSON and count caps are enforced while the body streams (multipart.ts),
 * so an oversized upload is refused the moment it passes its cap and its temp files removed.
 *
 * @example
 * createApp({ store, queue, limits: { ...DEFAULT_UPLOAD_LIMITS, maxFileBytes: 50 * 2 ** 20 } });
 */
export interface UploadLimits {
  /** Largest accepted file (bytes). */
  readonly maxFileBytes: number;
  /** Most files in one submission (a TF.js model.json + shards + genbench.json). */
  readonly maxFiles: number;
  /** Largest genbench.json / model.json (bytes). */
  readonly maxJsonBytes: number;
  /** Largest request body (bytes; default: maxFiles x maxFileBytes + 1 MiB, 512 MiB in DEFAULT_UPLOAD_LIMITS). */
  readonly maxRequestBytes?: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = Object.freeze({ maxFileBytes: 200 * 2 ** 20, maxFiles: 64, maxJsonBytes: 1 * 2 ** 20, maxRequestBytes: 512 * 2 ** 20 });

/** Characters a model name (the manifest's `name`) may have. */
export const MAX_MODEL_NAME = 100;

/** The request-body cap of `limits`. */
export function maxRequestBytes(limits: UploadLimits): number {
  return limits.maxRequestBytes ?? limits.maxFiles * limits.maxFileBytes + 2 ** 20;
}
