import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, parseRules, readRules, resolveRule, toleranceFor } from '../../src/gate/index.js';

describe('gate rules', () => {
  it('knows the direction of every built-in metric', () => {
    for (const id of ['fd', 'kid', 'disc']) expect(resolveRule(DEFAULT_RULES, id).direction).toBe('lower');
    for (const id of ['is', 'precision', 'recall', 'density', 'coverage']) expect(resolveRule(DEFAULT_RULES, id).direction).toBe('higher');
  });

  it('merges file fields over the built-in defaults, default first then the metric entry', () => {
    const rules = parseRules({ schema: 'genbench.gate-rules/v1', default: { relative: 0.2 }, metrics: { fd: { absolute: 3 }, precision: { relative: 0 } } }, 'g.json');
    expect(resolveRule(rules, 'fd')).toEqual({ absolute: 3, relative: 0.2, direction: 'lower', gate: true });
    expect(resolveRule(rules, 'precision')).toEqual({ absolute: 0.02, relative: 0, direction: 'higher', gate: true });
    expect(toleranceFor(resolveRule(rules, 'fd'), 40)).toBe(8); // max(3, 0.2 * 40)
    expect(toleranceFor(resolveRule(rules, 'fd'), 10)).toBe(3);
  });

  it('needs a direction for a metric genbench does not know', () => {
    expect(() => resolveRule(DEFAULT_RULES, 'my-score')).toThrow(/metric 'my-score' has no known direction; add "metrics"/);
    const rules = parseRules({ schema: 'genbench.gate-rules/v1', metrics: { 'my-score': { direction: 'higher', absolute: 1 } } }, 'g.json');
    expect(resolveRule(rules, 'my-score')).toEqual({ absolute: 1, relative: 0.05, direction: 'higher', gate: true });
  });

  it('rejects bad files with one line naming the field', async () => {
    expect(() => parseRules({ schema: 'genbench.gate-rules/v1', metrics: { fd: { relative: -1 } } }, 'g.json')).toThrow(/^g\.json: field 'metrics\.fd\.relative': .*docs\/gate\.md/);
    expect(() => parseRules({ schema: 'genbench.gate-rules/v1', metrics: { fd: { tolerance: 1 } } }, 'g.json')).toThrow(/field 'metrics\.fd'/);
    expect(() => parseRules({ schema: 'v0' }, 'g.json')).toThrow(/field 'schema'/);
    const dir = mkdtempSync(join(tmpdir(), 'genbench-rules-'));
    writeFileSync(join(dir, 'bad.json'), '{');
    await expect(readRules(join(dir, 'bad.json'))).rejects.toThrow(/bad\.json: not valid JSON/);
    await expect(readRules(join(dir, 'none.json'))).rejects.toThrow(/none\.json: cannot read the gate rules \(ENOENT\)/);
  });
});
