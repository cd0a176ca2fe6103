import { readdir, readFile, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cachedFeatures,
  cachedLayers,
  datasetInputs,
  featureCacheDir,
  featureCacheKey,
  imagesInputs,
  mobilenetPreprocessing,
  type FeatureKeyParts,
} from '../../src/features/index.js';
import { canonicalJson } from '../../src/io/canonical-json.js';
import { readNpy } from '../../src/io/npy.js';
import type { Matrix } from '../../src/linalg/matrix.js';

const roots: string[] = [];
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genbench-fcache-'));
  roots.push(dir);
});
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

const images = { data: Uint8Array.from({ length: 3 * 4 }, (_, i) => i * 20), n: 3, height: 2, width: 2, channels: 1 };

function parts(over: Partial<FeatureKeyParts> = {}): FeatureKeyParts {
  return {
    inputs: imagesInputs(images),
    extractor: 'mobilenet-v1-0.25',
    weightsSha256: 'a'.repeat(64),
    layer: 'global_average_pooling2d_1',
    preprocessing: mobilenetPreprocessing('bilinear'),
    ...over,
  };
}

/** A float32-exact 3x4 matrix, and a compute() that counts its calls. */
function counted(m: Matrix = { rows: 3, cols: 4, data: Float64Array.from({ length: 12 }, (_, i) => i / 8) }) {
  const calls = { n: 0 };
  return { calls, compute: async () => (calls.n++, m), m };
}

describe('feature cache keys', () => {
  it('depend on layer, preprocessing, inputs, extractor and weights, and on nothing else', () => {
    const k = featureCacheKey(parts());
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(featureCacheKey(parts())).toBe(k);
    expect(featureCacheKey(parts({ layer: 'reshape_2' }))).not.toBe(k);
    expect(featureCacheKey(parts({ preprocessing: mobilenetPreprocessing('bicubic') }))).not.toBe(k);
    expect(featureCacheKey(parts({ preprocessing: { ...mobilenetPreprocessing(), range: [0, 1] } }))).not.toBe(k);
    expect(featureCacheKey(parts({ weightsSha256: 'b'.repeat(64) }))).not.toBe(k);
    expect(featureCacheKey(parts({ extractor: 'mobilenet-v1-0.75' }))).not.toBe(k);
    const other = { ...images, data: images.data.map((v) => v ^ 1) };
    expect(featureCacheKey(parts({ inputs: imagesInputs(other) }))).not.toBe(k);
  });

  it('identify a dataset split by its files and split expression, and ignore key order', () => {
    const split = { split: 'test[0:100]', source: { files: [{ sha256: 'c'.repeat(64), path: '/x' }] } };
    const a = featureCacheKey(parts({ inputs: datasetInputs('mnist', split) }));
    const b = featureCacheKey(parts({ inputs: datasetInputs('mnist', { ...split, split: 'test[0:200]' }) }));
    expect(a).not.toBe(b);
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
  });

  it('live under GENBENCH_HOME/features', () => {
    const old = process.env['GENBENCH_HOME'];
    process.env['GENBENCH_HOME'] = '/tmp/gb-home';
    try {
      expect(featureCacheDir()).toBe('/tmp/gb-home/features');
    } finally {
      if (old === undefined) delete process.env['GENBENCH_HOME'];
      else process.env['GENBENCH_HOME'] = old;
    }
  });
});

describe('cachedFeatures', () => {
  it('computes once, then hits with the same values; stores float32 .npy plus a recipe sidecar', async () => {
    const { calls, compute, m } = counted();
    const first = await cachedFeatures(parts(), compute, { dir, note: { engine: 'test' } });
    expect(first.hit).toBe(false);
    const second = await cachedFeatures(parts(), compute, { dir });
    expect(second.hit).toBe(true);
    expect(calls.n).toBe(1);
    expect(second.matrix).toEqual(m);
    expect(second.path).toBe(join(dir, `${first.key}.npy`));
    const npy = await readNpy(second.path);
    expect([npy.dtype, npy.shape]).toEqual(['float32', [3, 4]]);
    const side = JSON.parse(await readFile(join(dir, `${first.key}.json`), 'utf8'));
    expect(side.recipe).toMatchObject({ layer: 'global_average_pooling2d_1', extractor: 'mobilenet-v1-0.25', preprocessing: { filter: 'bilinear' } });
    expect(side.note).toEqual({ engine: 'test' });
  });

  it('keeps float64 values that float32 cannot hold exactly', async () => {
    const { compute, m } = counted({ rows: 1, cols: 2, data: Float64Array.of(0.1, 1 / 3) });
    const r = await cachedFeatures(parts(), compute, { dir });
    expect((await readNpy(r.path)).dtype).toBe('float64');
    expect((await cachedFeatures(parts(), compute, { dir })).matrix).toEqual(m);
  });

  it.each([
    ['truncated', (p: string) => truncate(p, 100)],
    ['bit-flipped', async (p: string) => {
      const b = await readFile(p);
      b[b.length - 1]! ^= 0xff;
      await writeFile(p, b);
    }],
    ['deleted', (p: string) => rm(p)],
  ])('recomputes a %s .npy instead of trusting it', async (_what, damage) => {
    const { calls, compute, m } = counted();
    const first = await cachedFeatures(parts(), compute, { dir });
    await damage(first.path);
    const again = await cachedFeatures(parts(), compute, { dir });
    expect(again.hit).toBe(false);
    expect(again.stale).toBeDefined();
    expect(again.matrix).toEqual(m);
    expect(calls.n).toBe(2);
    expect((await cachedFeatures(parts(), compute, { dir })).hit).toBe(true); // repaired
  });

  it('recomputes when the sidecar is garbage', async () => {
    const { calls, compute } = counted();
    const first = await cachedFeatures(parts(), compute, { dir });
    await writeFile(join(dir, `${first.key}.json`), '{"key": ');
    expect((await cachedFeatures(parts(), compute, { dir })).stale).toMatch(/sidecar/);
    expect(calls.n).toBe(2);
  });

  it('leaves one valid entry and no temp files after concurrent writers of the same key', async () => {
    const { compute, m } = counted();
    const slow = async (ms: number) => {
      await new Promise((r) => setTimeout(r, ms));
      return compute();
    };
    const results = await Promise.all([0, 5, 1, 3, 2, 4, 0, 1].map((ms) => cachedFeatures(parts(), () => slow(ms), { dir })));
    expect(results.every((r) => r.matrix.data.length === 12)).toBe(true);
    const names = await readdir(dir);
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(names.sort()).toEqual([`${results[0]!.key}.json`, `${results[0]!.key}.npy`]);
    const read = await cachedFeatures(parts(), compute, { dir });
    expect(read.hit).toBe(true);
    expect(read.matrix).toEqual(m);
  });

  it('ignores and sweeps the temp file a killed writer left (Ctrl-C never leaves a partial final file)', async () => {
    const key = featureCacheKey(parts());
    const stale = join(dir, `.${key}.npy.999999999.deadbeef.tmp`); // pid that cannot exist
    await writeFile(stale, 'half a file');
    const { compute } = counted();
    const r = await cachedFeatures(parts(), compute, { dir });
    expect(r.hit).toBe(false);
    expect(await readdir(dir)).not.toContain(`.${key}.npy.999999999.deadbeef.tmp`);
  });
});

describe('cachedLayers', () => {
  it('asks compute() only for the layers that missed, in one call', async () => {
    const seen: string[][] = [];
    const mk = (v: number): Matrix => ({ rows: 1, cols: 1, data: Float64Array.of(v) });
    const compute = async (missing: string[]) => (seen.push(missing), Object.fromEntries(missing.map((l, i) => [l, mk(i + 1)])));
    await cachedLayers([parts({ layer: 'f1' })], compute, { dir });
    const r = await cachedLayers([parts({ layer: 'f1' }), parts({ layer: 'f2' }), parts({ layer: 'logit' })], compute, { dir });
    expect(seen).toEqual([['f1'], ['f2', 'logit']]);
    expect([r['f1']!.hit, r['f2']!.hit, r['logit']!.hit]).toEqual([true, false, false]);
  });
});
