/**
 * The one error type of genbench. A GenbenchError is a *user* error: the CLI prints its message on one line and
 * exits with the code's exit status, never a stack trace. Anything else that escapes is a bug (exit 3, with stack).
 *
 * Messages name the file or field, say what is wrong and how to fix it (torch-fidelity's "Consider using ...").
 */
export type ErrorCode =
  | 'USAGE' // bad flags or arguments
  | 'INPUT' // a file or value the user gave is malformed
  | 'NOT_FOUND' // a file, dataset, model or asset does not exist where it was looked for
  | 'CHECKSUM' // a sha256 did not match
  | 'NETWORK' // a download failed (offline, HTTP error, truncated)
  | 'UNSUPPORTED' // valid input that genbench cannot handle (a dtype, a layer type, a backend)
  | 'CHECK_FAILED'; // a check the user asked for failed (a gate, a verification): exit 1

const EXIT: Record<ErrorCode, number> = {
  USAGE: 2,
  INPUT: 2,
  NOT_FOUND: 2,
  CHECKSUM: 2,
  NETWORK: 2,
  UNSUPPORTED: 2,
  CHECK_FAILED: 1,
};

export class GenbenchError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GenbenchError';
    this.code = code;
  }

  /** Process exit status for this error: 1 for a failed check, 2 for usage and input errors. */
  get exitCode(): number {
    return EXIT[this.code];
  }
}

/** Exit status for an unexpected exception (a bug in genbench). */
export const INTERNAL_EXIT_CODE = 3;

export function isGenbenchError(e: unknown): e is GenbenchError {
  return e instanceof GenbenchError;
}

/** The first line of an error's message (of String(e) for a non-Error), for one-line reports. */
export function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

/** Shorthand for `new GenbenchError('INPUT', message)`. */
export function inputError(message: string, cause?: unknown): GenbenchError {
  return new GenbenchError('INPUT', message, cause === undefined ? undefined : { cause });
}

/**
 * A GenbenchError that the web app answers with its own HTTP status (401, 403, 413, 429, ...) instead of 400.
 *
 * @example
 * throw new HttpError(401, 'USAGE', 'missing token: send "Authorization: Bearer <token>" (create one with genbench admin token)');
 */
export class HttpError extends GenbenchError {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}
