import { describe, expect, it } from 'vitest';
import { compareReports, gateMarkdown, gateText, githubAnnotations } from '../../src/gate/index.js';
import { syntheticReport } from './synthetic.js';

const base = syntheticReport({ fd: [20, 1], precision: [0.6, 0.03] }, { model: 'base' });
const failed = compareReports({ baseline: base, candidate: syntheticReport({ fd: [26, 1], precision: [0.55, 0.03] }, { model: 'cand', seed: 3 }) });

describe('gate output', () => {
  it('renders a Markdown table with baseline, candidate, difference with interval, tolerance and verdict', () => {
    const md = gateMarkdown(failed);
    expect(md).toMatch(/^### genbench gate: ❌ regression in fd\n/);
    expect(md).toContain('Baseline `base` (seed 0) vs candidate `cand` (seed 3) on mnist test[8000:8200], n = 200');
    expect(md).toContain('| metric | better | baseline | candidate | difference (95% interval) | tolerance | verdict |');
    expect(md).toContain('| `fd` | lower | 20 [19, 21] | 26 [25, 27] | +6 [+4.586, +7.414] | ±1 | ❌ regression |');
    expect(md).toContain('| `precision` | higher | 0.6 [0.57, 0.63] | 0.55 [0.52, 0.58] | -0.05 [-0.09243, -0.007574] | ±0.02 | ⚠️ worse, within noise |');
  });

  it('emits an ::error per regression and a ::warning per metric worse within noise, escaped', () => {
    expect(githubAnnotations(failed)).toEqual([
      '::error title=genbench gate%3A fd regressed::fd 20 -> 26: +6 [+4.586, +7.414], tolerance 1 (lower is better)',
      '::warning title=genbench gate%3A precision worse (within noise)::precision 0.6 -> 0.55: -0.05 [-0.09243, -0.007574], tolerance 0.02 (higher is better)',
    ]);
  });

  it('prints an aligned text table headed by the outcome', () => {
    const text = gateText(failed).split('\n');
    expect(text[0]).toBe('gate: FAILED, regression in fd');
    expect(text[1]).toMatch(/^metric\s+better\s+baseline\s+candidate\s+difference \(95% interval\)\s+tolerance\s+verdict$/);
    expect(text[2]).toMatch(/^fd\s+lower\s+20\s+26\s+\+6 \[\+4\.586, \+7\.414\]\s+1\s+regression$/);
  });
});
