import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTask } from '../../src/data/paired-tasks.js';
import { diceScores } from '../../src/harness/translate-dice.js';
import { decodeImage } from '../../src/io/image-codec.js';
import { labelColour } from '../../src/io/label-colours.js';
import { encodeNpy } from '../../src/io/npy.js';
import { readReport } from '../../src/io/report.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';
import { writeTranslator } from './translator-fixtures.js';

/**
 * The segmentation task colin27-t1-aal end to end: a translator that thresholds the T1 into one label, scored by
 * `genbench evaluate` with Dice per label and the mean equal to the definition computed here on the task's own
 * slices; the labels are the AAL label values, resized by nearest neighbour. User label maps through --pairs --labels.
 * The grids draw label maps in the categorical colour map (io/label-colours.ts), read back here pixel by pixel.
 */
const shared = optionalSharedAssets();
let dir: string;
const LABEL = 37; // Hippocampus_L

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genbench-segment-'));
  await writeTranslator(join(dir, 'thr.onnx'), { kind: 'threshold', shape: [1, 64, 64], label: LABEL, task: 'colin27-t1-aal' });
  await writeTranslator(join(dir, 'thr8.onnx'), { kind: 'threshold', shape: [1, 8, 8], label: 2 });
});

describe('--pairs P.npz --labels N', () => {
  it('scores uint8 label maps by Dice; a target value above N and --labels on a task are one-line errors', async () => {
    // sources: a left half above the threshold (0.3 of 255); targets: label 2 on the left 3 columns, label 1 elsewhere
    const source = Uint8Array.from({ length: 3 * 64 }, (_, i) => (i % 8 < 4 ? 200 : 10));
    const target = Uint8Array.from({ length: 3 * 64 }, (_, i) => (i % 8 < 3 ? 2 : 1));
    await writeFile(join(dir, 'seg.npz'), zipSync({ 'source.npy': encodeNpy(source, [3, 8, 8]), 'target.npy': encodeNpy(target, [3, 8, 8]) }));
    const r = await runCli(['evaluate', '--translator', 'thr8.onnx', '--pairs', 'seg.npz', '--labels', '2', '--json', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as { metrics: Record<string, { value: number; labels: number }>; recipe: { rankedBy: string } };
    const want = diceScores({ output: { n: 3, size: 64, data: Uint8Array.from(source, (v) => (v > 76.5 ? 2 : 0)) }, target: { n: 3, size: 64, data: target } });
    // label 2: 3 of 4 output columns overlap 3 target columns, 2 * 3 / 7; label 1: missed entirely, 0
    expect(want.mean).toBeCloseTo(3 / 7, 12);
    expect(rep.metrics['dice']!.value).toBeCloseTo(want.mean, 12);
    expect(rep.metrics['dice']!.labels).toBe(2);
    expect(rep.recipe.rankedBy).toBe('dice');
    const bad = await runCli(['evaluate', '--translator', 'thr8.onnx', '--pairs', 'seg.npz', '--labels', '1', '--out', 'bad.json'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^genbench: .*seg\.npz: target value 2 at flat index 0 is not a label 0\.\.1 \(--labels 1\); label maps hold integer labels, 0 background\n$/);
    const onTask = await runCli(['evaluate', '--translator', 'thr8.onnx', '--task', 'colin27-t1-bet', '--labels', '3'], { cwd: dir });
    expect(onTask.code).toBe(2);
    expect(onTask.stderr).toMatch(/^genbench: --labels: only for --pairs/);
  });
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** The RGB of pixel (row, col) of side `side` of tile `tile` in a grid of input | output | target tiles (pair-grid.ts). */
function gridPixel(png: { data: Uint8Array; width: number; channels: number }, g: { side: number; height: number; columns: number; scale: number }, at: { tile: number; side: number; row: number; col: number }): number[] {
  const pad = 6; // TILE_PADDING
  const tileWidth = (3 * g.side + 2) * g.scale; // three sides and two 1-px gaps
  const x = pad + (at.tile % g.columns) * (tileWidth + pad) + (at.side * (g.side + 1) + at.col) * g.scale;
  const y = pad + Math.floor(at.tile / g.columns) * (g.height * g.scale + pad) + at.row * g.scale;
  const i = (y * png.width + x) * png.channels; // RGB, or RGBA as decoded
  return [...png.data.subarray(i, i + 3)];
}

describe('grids of label maps', () => {
  it('draw each label in its colour, the background black, the input gray; a label has one colour in output and target', async () => {
    // sources: bright left half (the translator writes label 2 there); targets: label 2 in columns 0..2, background on row 7, label 1 elsewhere
    const source = Uint8Array.from({ length: 3 * 64 }, (_, i) => (i % 8 < 4 ? 200 : 10));
    const target = Uint8Array.from({ length: 3 * 64 }, (_, i) => (i % 8 < 3 ? 2 : Math.floor(i / 8) % 8 === 7 ? 0 : 1));
    await writeFile(join(dir, 'grid.npz'), zipSync({ 'source.npy': encodeNpy(source, [3, 8, 8]), 'target.npy': encodeNpy(target, [3, 8, 8]) }));
    const r = await runCli(['evaluate', '--translator', 'thr8.onnx', '--pairs', 'grid.npz', '--labels', '2', '--out', 'g.json', '--grid', 'g.png', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const png = decodeImage(await readFile(join(dir, 'g.png')), 'g.png');
    expect(png.channels).toBeGreaterThanOrEqual(3);
    const layout = { side: 8, height: 8, columns: 2, scale: 2 }; // 3 tiles of 8x8 sides: 2 columns, upscaled x2
    const [black, one, two] = [labelColour(0), labelColour(1), labelColour(2)];
    expect(black).toEqual([0, 0, 0]);
    expect(one).not.toEqual(two);
    for (let tile = 0; tile < 3; tile++) {
      for (let row = 0; row < 8; row++) {
        for (let col = 0; col < 8; col++) {
          const at = (side: number) => gridPixel(png, layout, { tile, side, row, col });
          const v = source[tile * 64 + row * 8 + col]!;
          expect(at(0)).toEqual([v, v, v]);
          expect(at(1)).toEqual(col < 4 ? two : black);
          expect(at(2)).toEqual(col < 3 ? two : row === 7 ? black : one);
          if (col < 3) expect(at(1)).toEqual(at(2)); // label 2 in both panels: one colour
        }
      }
    }
  });
});

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
    // the target panels are the task's AAL labels in their colours (16 tiles of 64x64 sides, 4 columns, no upscaling)
    const layout = { side: 64, height: 64, columns: 4, scale: 1 };
    for (let tile = 0; tile < 16; tile += 5) {
      for (let p = 0; p < 4096; p += 7) {
        const [row, col] = [Math.floor(p / 64), p % 64];
        expect(gridPixel(grid, layout, { tile, side: 2, row, col })).toEqual(labelColour(t[tile * 4096 + p]!));
        expect(gridPixel(grid, layout, { tile, side: 1, row, col })).toEqual(labelColour(o[tile * 4096 + p]!));
      }
    }
  });
});
