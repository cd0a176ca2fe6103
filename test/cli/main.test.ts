import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/index.js';
import { runCli } from '../helpers/cli.js';

describe('genbench CLI', () => {
  it('prints help with every command and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const name of COMMANDS.keys()) expect(r.stdout).toContain(name);
  });

  it.each([...COMMANDS.keys()])('has --help on command %s and on each of its subcommands', async (name) => {
    const r = await runCli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: genbench ${name}\\b`));
    // Subcommands as the registry defines them (not parsed back out of the help text).
    for (const sub of COMMANDS.get(name)!().commands.map((c) => c.name())) {
      const s = await runCli([name, sub, '--help']);
      expect(s.code, `${name} ${sub} --help`).toBe(0);
      expect(s.stdout).toContain(`Usage: genbench ${name} ${sub}`);
    }
  });

  it('exits 2 with one line on stderr for an unknown command or flag', async () => {
    const a = await runCli(['frobnicate']);
    expect(a.code).toBe(2);
    const b = await runCli(['backend', '--no-such-flag']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/unknown option/);
  });

  it('reports a user error as one line without a stack trace, exit 2', async () => {
    const r = await runCli(['backend', '--backend', 'quantum']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^genbench: --backend: unknown backend 'quantum'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('says which backend it chose, on stdout as JSON with --json', async () => {
    const r = await runCli(['backend', '--json'], { env: { GENBENCH_BACKEND: undefined } });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { backend: string; reason: string };
    expect(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).toContain(j.backend);
    expect(j.reason.length).toBeGreaterThan(0);
    const pinned = await runCli(['backend', '--json'], { env: { GENBENCH_BACKEND: 'cpu' } });
    expect(JSON.parse(pinned.stdout)).toMatchObject({ backend: 'cpu', reason: 'pinned by GENBENCH_BACKEND' });
  });

  it('prints its version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
