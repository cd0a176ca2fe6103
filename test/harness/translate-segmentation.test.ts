import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTask } from '../../src/data/paired-tasks.js';
import { decodeImage } from '../../src/io/image-codec.js';
import { readReport } from '../../src/io/report.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';
import { writeTranslator } from './translator-fixtures.js';

/**
 * The segmentation task colin27-t1-aal end to end: a translator that thresholds the T1 into one label, scored by
 * `genbench evaluate` with Dice per label and the mean equal to the definition computed here on the task's own
 * slices; the labels are the AAL label values, resized by nearest neighbour.
 */
const shared = optionalSharedAssets();
let dir: string;
const LABEL = 37; // Hippocampus_L

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genbench-segment-'));
  await writeTranslator(join(dir, 'thr.onnx'), { kind: 'threshold', shape: [1, 64, 64], label: LABEL, task: 'colin27-t1-aal' });
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe.skipIf(!shared)('colin27-t1-aal', () => {
  it('a thresholding translator: Dice per label and their mean as the definition gives them, ranked by Dice, no PSNR/SSIM', async () => {
    const env = { GENBENCH_ASSETS: shared! };
    const r = await runCli(['evaluate', '--translator', 'thr.onnx', '--task', 'colin27-t1-aal', '--out', 'a.json', '--bootstrap', '50'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^threshold-translator on colin27-t1-aal test: 26 pairs/m);
    expect(r.stdout).toMatch(/^ {2}dice +\d\.\d+ +ci95 \[/m);
    const rep = await readReport(join(dir, 'a.json'));
    expect(rep.recipe.metrics).toEqual(['dice']);
    expect(rep.recipe.rankedBy).toBe('dice');
    expect(rep.recipe.extractor.id).toBe('none');
    expect(rep.dataset.files.map((f) => f.id)).toEqual(['datasets/colin27/ch2.nii.gz', 'datasets/colin27/aal.nii.gz']);
    expect(rep.dataset.loading).toMatchObject({ targetWindow: '0..255', labelFilter: expect.stringMatching(/^nearest/) });
    expect(rep.recipe.params['segmentation']).toMatchObject({ labels: 116, background: 0 });

    // the definition on the task's own test slices, the translator's output computed here: LABEL where u8 / 255 > 0.3
    process.env['GENBENCH_ASSETS'] = shared!;
    const s = await (await openTask('colin27-t1-aal')).load('test');
    expect(s.segmentation).toEqual({ labels: 116 });
    const t = s.target.data;
    expect(new Set(t).size).toBeGreaterThan(100); // most regions survive 64x64 on the 26 slices
    expect([...t].every((v) => Number.isInteger(v) && v <= 116)).toBe(true); // nearest: no blended labels
    const o = Uint8Array.from(s.source.data, (v) => (Math.fround(v / 255) > Math.fround(0.3) ? LABEL : 0));
    const present = [...new Set([...t, ...o])].filter((k) => k !== 0).sort((a, b) => a - b);
    const dice = (k: number) => {
      let inter = 0, no = 0, nt = 0;
      for (let i = 0; i < t.length; i++) {
        inter += +(o[i] === k && t[i] === k);
        no += +(o[i] === k);
        nt += +(t[i] === k);
      }
      return (2 * inter) / (no + nt);
    };
    const entry = rep.metrics['dice'] as unknown as { value: number; ci95: [number, number]; labelsPresent: number; perLabel: Record<string, { dice: number }> };
    expect(entry.labelsPresent).toBe(present.length);
    expect(entry.perLabel[String(LABEL)]!.dice).toBeCloseTo(dice(LABEL), 12);
    expect(entry.perLabel[String(LABEL)]!.dice).toBeGreaterThan(0);
    expect(entry.perLabel['1']!.dice).toBe(0);
    expect(entry.value).toBeCloseTo(present.reduce((a, k) => a + dice(k), 0) / present.length, 12);
    expect(entry.ci95[0]).toBeLessThan(entry.ci95[1]);
    const grid = decodeImage(await readFile(join(dir, 'a.grid.png')), 'a.grid.png');
    expect(grid.width).toBeGreaterThan(3 * 64);
  });
});
