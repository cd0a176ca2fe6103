import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseWith, zodMessage } from '../../src/io/zod-message.js';

describe('zod messages', () => {
  const schema = z.object({ a: z.object({ b: z.number().min(0) }), c: z.string() }).strict();

  it('names the file, the first bad field, how many more, and what to do, on one line', () => {
    const r = schema.safeParse({ a: { b: -1 }, c: 3 });
    expect(r.success).toBe(false);
    const line = zodMessage(r.error!, 'x.json', 'fix it');
    expect(line).toMatch(/^x\.json: field 'a\.b': .*>=0.* \(and 1 more\); fix it$/);
    expect(line).not.toContain('\n');
  });

  it('says "(top level)" for the document itself, returns the data when valid, throws an INPUT error otherwise', () => {
    expect(() => parseWith(schema, null, 'y.json', 'fix it')).toThrow(/^y\.json: field '\(top level\)': /);
    expect(parseWith(schema, { a: { b: 1 }, c: 'k' }, 'y.json', 'fix it')).toEqual({ a: { b: 1 }, c: 'k' });
    try {
      parseWith(schema, { a: { b: 1 }, c: 'k', d: 1 }, 'y.json', 'fix it');
    } catch (e) {
      expect((e as { code?: string }).code).toBe('INPUT');
    }
    expect.assertions(3);
  });
});
