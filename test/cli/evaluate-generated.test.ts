import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy } from '../../src/io/npy.js';
import { parseReport, type Report } from '../../src/io/report.js';
import { crc32, zipArchive } from '../bad-inputs/files.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';

/**
 * `genbench evaluate --generated`: the samples `genbench sample` writes (.npy, a folder of PNGs, and the same images
 * as a .zip and as float32 in a .npz) score exactly as the generator does with the same --n, --seed and --split.
 */
const shared = optionalSharedAssets();
const subs = shared === undefined ? '' : join(shared, 'fixtures/submissions');
const dcgan = join(subs, 'mnist-dcgan.onnx');
const disc = `discriminator:${join(subs, 'mnist-dcgan-disc.onnx')}`;
let home = '';
let dir = '';
const env = () => ({ GENBENCH_ASSETS: shared, GENBENCH_HOME: home, GENBENCH_BACKEND: undefined });
const common = ['--dataset', 'mnist', '--split', 'test[8000:]', '--seed', '3', '--extractor', disc, '--json', '--quiet'];

async function report(args: readonly string[]): Promise<Report> {
  const r = await runCli(['evaluate', ...args, ...common], { env: env() });
  expect(r.code, r.stderr).toBe(0);
  return parseReport(JSON.parse(r.stdout), 'stdout');
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'genbench-evalgen-home-'));
  dir = mkdtempSync(join(tmpdir(), 'genbench-evalgen-'));
});

describe.skipIf(!shared)('genbench evaluate --generated (images without a checkpoint)', () => {
  let fromGenerator: Report;

  it('sample --out X.npy / --out-dir writes uint8 [n, 28, 28, 1] and PNG files in sample order', async () => {
    const r = await runCli(['sample', '--generator', dcgan, '--n', '64', '--seed', '3', '--out', join(dir, 's.npy'), '--out-dir', join(dir, 'pngs'), '--quiet'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const a = parseNpy(readFileSync(join(dir, 's.npy')), 's.npy');
    expect(a.dtype).toBe('uint8');
    expect(a.shape).toEqual([64, 28, 28, 1]);
    expect(readdirSync(join(dir, 'pngs')).slice(0, 2)).toEqual(['000000.png', '000001.png']);
    expect(readdirSync(join(dir, 'pngs'))).toHaveLength(64);
    // the same images as a .zip of PNGs, and as float32 in [-1, 1] in a .npz
    const members = readdirSync(join(dir, 'pngs')).map((name) => {
      const bytes = readFileSync(join(dir, 'pngs', name));
      return { name: `samples/${name}`, deflated: deflateRawSync(bytes), size: bytes.length, crc: crc32(bytes) };
    });
    writeFileSync(join(dir, 's.zip'), zipArchive(members));
    const npy = encodeNpy(Float32Array.from(a.data, (v) => v / 127.5 - 1), a.shape);
    writeFileSync(join(dir, 's.npz'), zipArchive([{ name: 'images.npy', deflated: deflateRawSync(npy), size: npy.length, crc: crc32(npy) }]));
  });

  it('gives the same FD and metrics as evaluate --generator with the same --n, --seed and --split', async () => {
    fromGenerator = await report(['--generator', dcgan, '--n', '64', '--no-ci', '--no-memorization']);
    for (const given of [['s.npy'], ['pngs'], ['s.zip'], ['s.npz', '--generated-range', '-1,1']]) {
      const rep = await report(['--generated', join(dir, given[0]!), ...given.slice(1), '--no-ci']);
      expect(rep.metrics['fd']!.value, given[0]).toBe(fromGenerator.metrics['fd']!.value);
      expect(rep.metrics, given[0]).toEqual(fromGenerator.metrics);
      expect(rep.dataset, given[0]).toEqual(fromGenerator.dataset);
      expect({ ...rep.recipe, backend: null }, given[0]).toEqual({ ...fromGenerator.recipe, backend: null });
      expect(rep.model, given[0]).toMatchObject({ format: 'images', engine: 'none (images given)', manifest: { format: 'images', count: 64 } });
    }
  });

  it("describes the set in the report's model section (name, path, sha256 of the file)", async () => {
    const rep = await report(['--generated', join(dir, 's.npy'), '--n', '40', '--no-ci']);
    const sha = createHash('sha256').update(readFileSync(join(dir, 's.npy'))).digest('hex');
    expect(rep.model).toMatchObject({ name: 's', path: join(dir, 's.npy'), format: 'images', files: { 's.npy': sha }, manifest: { source: 'npy', dtype: 'uint8', shape: '64x28x28x1', layout: 'NHWC' } });
    expect(rep.recipe.n.generated).toBe(40); // the first 40 images
    expect(rep.recipe.backend.generator).toBe('none (images given)');
  });

  it('has intervals, a grid beside --out and, with --train-split, the memorisation checks and a held-out default split', async () => {
    const out = join(dir, 'mem.json');
    const r = await runCli(['evaluate', '--generated', join(dir, 's.npy'), '--dataset', 'mnist', '--train-split', 'test~0[:8000]', '--extractor', disc, '--bootstrap', '10', '--out', out, '--json', '--quiet'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const rep = parseReport(JSON.parse(r.stdout), 'stdout');
    expect(rep.dataset.split).toBe('test~0[8000:10000]'); // held out from the training rows given
    for (const id of ['fd', 'kid', 'precision', 'coverage']) expect(rep.metrics[id]!.ci95, id).toHaveLength(2);
    expect(Object.keys(rep.metrics)).toEqual(expect.arrayContaining(['copy_rate', 'closer_to_train_share', 'mifid_term', 'ct']));
    expect(rep.memorization?.verdict).toMatch(/^memorisation: /);
    expect(rep.recipe.params['memorization']).toMatchObject({ train_split: 'test~0[0:8000]' });
    expect(readFileSync(join(dir, 'mem.grid.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('refuses --n above the set, float arrays without a range, and both --generator and --generated (exit 2, one line)', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--generated', join(dir, 's.npy'), '--n', '65'], /--n 65: .*s\.npy holds 64 images; pass --n 64 or fewer/],
      [['--generated', join(dir, 's.npz')], /float32 images need their value range: pass --generated-range -1,1/],
      [['--generated', join(dir, 's.npy'), '--generator', dcgan], /give --generator CHECKPOINT or --generated IMAGES/],
      [['--generated', join(dir, 's.npy'), '--generated-range', '1,0'], /--generated-range: expected LO,HI with LO < HI/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['evaluate', ...args, ...common], { env: env() });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
