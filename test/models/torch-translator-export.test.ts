import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '../../src/io/npy.js';
import { readTranslatorManifest } from '../../src/models/translator-manifest.js';
import { loadTranslator } from '../../src/models/translator.js';

/**
 * The PyTorch pix2pix of the translation benchmark (test/bench/pix2pix_torch.py) writes a translator genbench
 * loads: its manifest passes the translator-manifest check, the ONNX matches it (names, NCHW shapes, the load-time
 * probe) and a batch of outputs lies in [-1, 1]. Skipped where the Python has no torch (CI).
 */
const PYTHON = process.env['GENBENCH_PYTHON'] ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
const SCRIPT = join(import.meta.dirname, '../bench/pix2pix_torch.py');

describe.skipIf(!hasTorch)('PyTorch pix2pix export', () => {
  it('writes a kind: translator manifest and ONNX that genbench loads and runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genbench-torch-p2p-'));
    const n = 32;
    const side = 8;
    const source = Uint8Array.from({ length: n * side * side }, (_, i) => (i * 37) % 256);
    const target = source.map((v) => 255 - v);
    writeFileSync(join(dir, 'pairs.npz'), zipSync({ 'source.npy': encodeNpy(source, [n, side, side, 1]), 'target.npy': encodeNpy(target, [n, side, side, 1]) }));
    const out = join(dir, 'run');
    const r = spawnSync(PYTHON, [SCRIPT, join(dir, 'pairs.npz'), out, '--steps', '3', '--threads', '1', '--task', 'pneumonia-denoise'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toMatchObject({ steps: 3, batch: 16, seed: 0 });

    const m = await readTranslatorManifest(join(out, 'genbench.json'));
    expect(m).toMatchObject({ kind: 'translator', task: 'pneumonia-denoise', layout: 'NCHW', input_shape: [1, side, side], output_shape: [1, side, side], input_range: '[-1,1]', output_range: '[-1,1]' });
    const t = await loadTranslator(out);
    try {
      const x = Float32Array.from(source.subarray(0, 4 * side * side), (v) => v / 127.5 - 1);
      const y = await t.translate(x, 4);
      expect(y.length).toBe(4 * side * side);
      expect(y.every((v) => v >= -1 && v <= 1)).toBe(true);
    } finally {
      t.dispose();
    }
    expect(JSON.parse(readFileSync(join(out, 'genbench.json'), 'utf8')).training).toMatchObject({ lambda: 100, steps: 3 });
  }, 60_000);
});
