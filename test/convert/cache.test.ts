import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedConversion, conversionKey } from '../../src/convert/cache.js';
import { convertLayersModel } from '../../src/convert/convert.js';
import { savedArtifacts, seedWeights } from './helpers.js';

describe('cache of converted models', () => {
  let dir: string;
  let artifacts: Awaited<ReturnType<typeof savedArtifacts>>;
  let builds = 0;
  const build = (outputs: string[]) => async (): Promise<Uint8Array> => {
    builds++;
    return convertLayersModel({ modelTopology: artifacts.modelTopology }, artifacts.weights, { outputs });
  };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'genbench-onnx-cache-'));
    const x = tf.input({ shape: [4, 4, 2], name: 'x' });
    const c = tf.layers.conv2d({ filters: 3, kernelSize: 3, name: 'c' }).apply(x) as tf.SymbolicTensor;
    const d = tf.layers.dense({ units: 2, name: 'd' }).apply(tf.layers.flatten({ name: 'f' }).apply(c)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: d });
    seedWeights(model, 1);
    artifacts = await savedArtifacts(model);
    model.dispose();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('second conversion is a hit with the same bytes; other outputs or weights give another file', async () => {
    const parts = { weightsSha256: 'a'.repeat(64), outputs: ['d'] };
    const first = await cachedConversion(parts, build(['d']), { dir });
    const second = await cachedConversion(parts, build(['d']), { dir });
    expect([first.hit, second.hit, builds]).toEqual([false, true, 1]);
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect(second.path).toBe(join(dir, `${first.key}.onnx`));
    const other = await cachedConversion({ ...parts, outputs: ['c', 'd'] }, build(['c', 'd']), { dir });
    expect(other.hit).toBe(false);
    expect(other.path).not.toBe(first.path);
    expect(conversionKey({ ...parts, weightsSha256: 'b'.repeat(64) })).not.toBe(first.key);
    expect((await readdir(dir)).filter((f) => f.endsWith('.onnx'))).toHaveLength(2);
    expect(JSON.parse(await readFile(join(dir, `${first.key}.json`), 'utf8')).record.outputs).toEqual(['d']);
  });

  it('a corrupted or truncated cache file is detected and rebuilt', async () => {
    const parts = { weightsSha256: 'c'.repeat(64), outputs: ['d'] };
    const first = await cachedConversion(parts, build(['d']), { dir });
    const bad = Uint8Array.from(first.bytes);
    bad[bad.length - 3]! ^= 0xff;
    await writeFile(first.path, bad);
    const rebuilt = await cachedConversion(parts, build(['d']), { dir });
    expect([rebuilt.hit, rebuilt.stale]).toEqual([false, 'sha256 mismatch']);
    expect(await readFile(first.path)).toEqual(Buffer.from(first.bytes));
    await writeFile(first.path, first.bytes.subarray(0, 100));
    expect((await cachedConversion(parts, build(['d']), { dir })).stale).toMatch(/^size 100 /);
    expect((await cachedConversion(parts, build(['d']), { dir })).hit).toBe(true);
  });
});
