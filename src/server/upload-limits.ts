/**
 * Upload caps of the submission route: bytes per file, number of files, and bytes of the manifest. multer enforces
 * the per-file and count caps while streaming, so an oversized upload is cut off early and its temp files removed.
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
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = Object.freeze({ maxFileBytes: 200 * 2 ** 20, maxFiles: 64, maxJsonBytes: 1 * 2 ** 20 });
