import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodePngAs } from '../../src/io/png.js';
import { parseReport } from '../../src/io/report.js';
import { crc32, zipArchive } from '../bad-inputs/files.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';

/**
 * `--resize HxW` on the commands that read image files: a folder (or .zip) of images of two sizes is refused
 * without it and read at one size with it; the resize is recorded (the report's recipe.preprocessing, the features'
 * recipe) and keys the feature cache apart from an unresized read of the same files.
 */
const shared = optionalSharedAssets();
const disc = `discriminator:${join(shared ?? '', 'fixtures/submissions/mnist-dcgan-disc.onnx')}`;
let home = '';
let dir = '';
const env = () => ({ GENBENCH_ASSETS: shared, GENBENCH_HOME: home, GENBENCH_BACKEND: undefined });

/** Gray PNGs, 28x28 and 32x32 alternating (`sizes` [28] for one size), with distinct pixels. */
function pngs(n: number, sizes: readonly number[]): { name: string; bytes: Uint8Array }[] {
  return Array.from({ length: n }, (_, i) => {
    const s = sizes[i % sizes.length]!;
    const px = Uint8Array.from({ length: s * s }, (_, j) => (j * 7 + i * 31) % 256);
    return { name: `${String(i).padStart(2, '0')}.png`, bytes: encodePngAs(px, s, s, 1) };
  });
}

function folder(name: string, files: { name: string; bytes: Uint8Array }[]): string {
  mkdirSync(join(dir, name));
  for (const f of files) writeFileSync(join(dir, name, f.name), f.bytes);
  return join(dir, name);
}

async function json(args: readonly string[]): Promise<Record<string, any>> {
  const r = await runCli([...args, '--json', '--quiet'], { env: env() });
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'genbench-resize-home-'));
  dir = mkdtempSync(join(tmpdir(), 'genbench-resize-'));
});

describe.skipIf(!shared)('--resize on the commands that read image files', () => {
  it('evaluate --generated <folder of two sizes> needs --resize, and records it in the recipe', async () => {
    const mixed = folder('mixed', pngs(12, [28, 32]));
    const refused = await runCli(['evaluate', '--generated', mixed, '--dataset', 'mnist', '--extractor', disc, '--no-ci', '--quiet'], { env: env() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^genbench: \S+01\.png: image is 32x32 but 00\.png is 28x28; pass --resize HxW/);
    const out = join(dir, 'r.json');
    const r = await runCli(['evaluate', '--generated', mixed, '--resize', '28x28', '--dataset', 'mnist', '--split', 'test[8000:]', '--extractor', disc, '--no-ci', '--no-memorization', '--out', out, '--quiet'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const report = parseReport(JSON.parse(readFileSync(out, 'utf8')), out);
    expect(report.recipe.preprocessing).toEqual({ generated: { resize: '28x28', filter: 'bilinear' } });
    expect(report.model.manifest).toMatchObject({ source: 'folder', shape: '12x28x28x1', resize: '28x28', filter: 'bilinear' });
    expect(report.metrics['fd']!.value).toBeGreaterThan(0);
  });

  it('features --input <.zip of two sizes> --resize reads them at one size, with the resize in its recipe', async () => {
    const zip = join(dir, 'mixed.zip');
    writeFileSync(zip, zipArchive(pngs(6, [32, 28]).map((f) => ({ name: f.name, deflated: deflateRawSync(f.bytes), size: f.bytes.length, crc: crc32(f.bytes) }))));
    const f = await json(['features', '--input', zip, '--resize', '28x28', '--filter', 'area', '--extractor', disc, '--out', join(dir, 'z.npy')]);
    expect(f).toMatchObject({ shape: [6, 6272], images: { rows: 6, preprocessing: { resize: '28x28', filter: 'area' } } });
  });

  it('a resized and an unresized read of one folder never share cached features', async () => {
    const same = folder('same', pngs(4, [32]));
    const common = ['features', '--dataset', same, '--extractor', disc];
    const plain = await json([...common, '--out', join(dir, 'p.npy')]);
    const resized = await json([...common, '--resize', '28x28', '--out', join(dir, 'q.npy')]);
    // the same files and split: only the resize in the key keeps the second read from hitting the first's entry
    expect([plain.cached, resized.cached]).toEqual([false, false]);
    expect(resized.images.preprocessing).toEqual({ resize: '28x28', filter: 'bilinear' });
    expect(plain.images.preprocessing).toBeUndefined();
    expect(resized.images.sha256).not.toBe(plain.images.sha256);
  });
});
