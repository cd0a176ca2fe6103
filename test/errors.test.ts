import { describe, expect, it } from 'vitest';
import { GenbenchError, inputError } from '../src/errors.js';

describe('GenbenchError', () => {
  it('maps codes to exit statuses: 1 for failed checks, 2 for user errors', () => {
    expect(new GenbenchError('CHECK_FAILED', 'x').exitCode).toBe(1);
    for (const code of ['USAGE', 'INPUT', 'NOT_FOUND', 'CHECKSUM', 'NETWORK', 'UNSUPPORTED'] as const) {
      expect(new GenbenchError(code, 'x').exitCode).toBe(2);
    }
  });

  it('keeps the cause', () => {
    const cause = new Error('inner');
    expect(inputError('a.npy: bad', cause).cause).toBe(cause);
    expect(inputError('a.npy: bad').code).toBe('INPUT');
  });
});
