import { afterEach, describe, expect, it, vi } from 'vitest';
import { activeProgressCount, endProgressForExit, stderrProgress, stopAllProgress } from '../../src/cli/progress-bar.js';

const SHOW = '\x1b[?7h\x1b[?25h';

/** What the bars write on stderr while `f` runs, with GENBENCH_PROGRESS set to `mode`. */
function captured(mode: string, f: () => void): string {
  const before = process.env['GENBENCH_PROGRESS'];
  process.env['GENBENCH_PROGRESS'] = mode;
  let out = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, cb?: unknown) => {
    out += String(chunk);
    if (typeof cb === 'function') (cb as () => void)();
    return true;
  });
  try {
    f();
  } finally {
    spy.mockRestore();
    if (before === undefined) delete process.env['GENBENCH_PROGRESS'];
    else process.env['GENBENCH_PROGRESS'] = before;
  }
  return out;
}

afterEach(() => stopAllProgress());

describe('progress bars drawn in place (GENBENCH_PROGRESS=tty)', () => {
  it('a bar left running (its work threw) is stopped by stopAllProgress: line ended, cursor shown last', () => {
    const out = captured('tty', () => {
      stderrProgress().start(10, 'decoding');
      expect(activeProgressCount()).toBe(1);
      stopAllProgress();
    });
    expect(out).toContain('\x1b[?25l');
    expect(out.endsWith(`\n${SHOW}`)).toBe(true);
    expect(activeProgressCount()).toBe(0);
  });

  it('endProgressForExit prints its line after the bar and restores the terminal after the line', () => {
    const out = captured('tty', () => {
      stderrProgress().start(10, 'sampling');
      endProgressForExit('genbench: interrupted (SIGINT)');
    });
    expect(out.endsWith(`\ngenbench: interrupted (SIGINT)\n${SHOW}`)).toBe(true);
  });

  it('plain mode draws no cursor codes; a bad GENBENCH_PROGRESS is a usage error naming it', () => {
    const out = captured('plain', () => {
      const p = stderrProgress();
      p.start(10, 'x');
      p.tick(10);
      p.stop();
    });
    expect(out).not.toContain('\x1b[');
    expect(() => captured('fancy', () => stderrProgress())).toThrow(/^GENBENCH_PROGRESS='fancy': expected tty/);
  });
});
