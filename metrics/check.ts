import { GenbenchError } from '../src/errors.js';
import type { Matrix } from '../src/linalg/matrix.js';
import type { FeatureSets } from './types.js';

/**
 * Input checks shared by the metrics: the same feature size on both sides, enough samples, finite values.
 * Errors are INPUT GenbenchErrors naming the role (generated / reference) and how to fix the input.
 *
 * @example
 * checkFeatureSets({ generated, reference }, 2); // throws "generated: 1 sample; at least 2 are needed ..."
 */
export function checkFeatureSets(sets: FeatureSets, minRows = 2): void {
  checkMatrix(sets.generated, 'generated', minRows);
  checkMatrix(sets.reference, 'reference', minRows);
  if (sets.generated.cols !== sets.reference.cols) {
    throw new GenbenchError(
      'INPUT',
      `generated has ${sets.generated.cols} features per sample but reference has ${sets.reference.cols}; extract both with the same feature extractor`,
    );
  }
}

/** A matrix with at least `minRows` rows, at least one column and only finite values. */
export function checkMatrix(m: Matrix, role: string, minRows = 2): void {
  if (m.rows < minRows) {
    throw new GenbenchError('INPUT', `${role}: ${m.rows} sample${m.rows === 1 ? '' : 's'}; at least ${minRows} are needed for this metric`);
  }
  if (m.cols < 1) throw new GenbenchError('INPUT', `${role}: samples have no features (shape ${m.rows}x${m.cols})`);
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i]!)) {
      throw new GenbenchError('INPUT', `${role}: non-finite value ${d[i]} at row ${Math.floor(i / m.cols)}, column ${i % m.cols}; drop or fix that sample`);
    }
  }
}
