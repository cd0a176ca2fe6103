/**
 * JSON with object keys sorted at every depth, `undefined` members dropped and no whitespace, so equal records give
 * equal bytes: the text every content key of genbench hashes (feature cache, converted models, nearest-neighbour
 * indexes, the store's recipe key). Non-finite numbers are refused, since JSON would write them as null.
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 * canonicalJson({ x: NaN });                       // throws TypeError: canonicalJson: a key part is NaN
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`canonicalJson: a key part is ${value}`);
  return JSON.stringify(value);
}
