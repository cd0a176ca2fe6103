import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/io/canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined members and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }], u: undefined })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
    expect(canonicalJson({ x: { z: null, y: 'é' } })).toBe(JSON.stringify({ x: { y: 'é', z: null } }));
  });

  it('gives equal text for records that differ only in key order', () => {
    expect(canonicalJson({ a: 1, b: { c: [1, 2], d: true } })).toBe(canonicalJson({ b: { d: true, c: [1, 2] }, a: 1 }));
  });

  it('refuses non-finite numbers, which JSON would write as null', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/NaN/);
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow(/Infinity/);
  });
});
