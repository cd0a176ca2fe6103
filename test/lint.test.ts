import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The lint rule that keeps user files away from raw JSON.parse: it fires in src/, metrics/ and reference-models/,
 * and stays quiet in the modules eslint.config.js lists as parsing JSON that genbench wrote itself. And the layout
 * rules (the formatter): they report a badly laid-out file and `--fix` rewrites it to the house layout.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const code = 'export const read = (text: string): unknown => JSON.parse(text);\n';

async function rulesHit(filePath: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: root }).lintText(code, { filePath: join(root, filePath) });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('eslint.config.js', () => {
  it('refuses raw JSON.parse in product code and points to src/io/json-file.ts', async () => {
    expect(await rulesHit('src/cli/new-command.ts')).toEqual(['no-restricted-properties']);
    expect(await rulesHit('metrics/new-metric.ts')).toEqual(['no-restricted-properties']);
    expect(await rulesHit('reference-models/new-model.ts')).toEqual(['no-restricted-properties']);
    const [result] = await new ESLint({ cwd: root }).lintText(code, { filePath: join(root, 'src/gate/x.ts') });
    expect(result!.messages[0]!.message).toContain('parseJsonText / readJsonFile (src/io/json-file.ts)');
  });

  it('allows it in the helper, the trusted modules and tests', async () => {
    expect(await rulesHit('src/io/json-file.ts')).toEqual([]);
    expect(await rulesHit('src/store/models.ts')).toEqual([]);
    expect(await rulesHit('test/io/x.test.ts')).toEqual([]);
  });

  it('reports layout and fixes it to the house layout', async () => {
    const messy = 'export function f(a: number) {\n    const s = "x";\n  return a + s.length\n}\n';
    const file = join(root, 'src/gate/layout.ts');
    const [found] = await new ESLint({ cwd: root }).lintText(messy, { filePath: file });
    expect(new Set(found!.messages.map((m) => m.ruleId))).toEqual(new Set(['@stylistic/indent', '@stylistic/quotes', '@stylistic/semi']));
    const [fixed] = await new ESLint({ cwd: root, fix: true }).lintText(messy, { filePath: file });
    expect(fixed!.output).toBe("export function f(a: number) {\n  const s = 'x';\n  return a + s.length;\n}\n");
    expect(fixed!.messages).toEqual([]);
  });
});
