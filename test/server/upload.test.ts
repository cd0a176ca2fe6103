import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkUpload, sanitiseName } from '../../src/server/upload.js';
import { DEFAULT_UPLOAD_LIMITS } from '../../src/server/upload-limits.js';

const tmp = mkdtempSync(join(tmpdir(), 'genbench-upload-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function file(name: string, data: string | Uint8Array): { name: string; path: string; sha: string } {
  const path = join(tmp, `${n++}.part`);
  writeFileSync(path, data);
  return { name, path, sha: createHash('sha256').update(data).digest('hex') };
}
const limits = DEFAULT_UPLOAD_LIMITS;

describe('sanitiseName', () => {
  it('keeps the last path component and refuses anything but plain names', () => {
    expect(sanitiseName('model.json')).toBe('model.json');
    expect(sanitiseName('../../etc/g.onnx')).toBe('g.onnx');
    expect(sanitiseName('C:\\x\\group1-shard1of1.bin')).toBe('group1-shard1of1.bin');
    for (const bad of ['..', '.', '', '.hidden.onnx', 'a b.onnx', 'x/..', 'é.onnx', 'a\u0000.onnx', 'x'.repeat(200)]) expect(() => sanitiseName(bad), bad).toThrow(/not allowed/);
  });
});

describe('checkUpload: TF.js folders', () => {
  const weights = new Uint8Array([1, 2, 3, 4]);
  const modelJson = JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }] });
  const manifest = (files: Record<string, string>) =>
    JSON.stringify({ name: 'tiny', format: 'tfjs-layers', file: 'model.json', input: 'z', latent_dim: 4, output: 'x', output_layout: 'NHWC', output_range: '[0,1]', image_shape: [28, 28, 1], dataset: 'mnist', files });

  it('accepts model.json, its shards and genbench.json with matching hashes', async () => {
    const mj = file('model.json', modelJson);
    const shard = file('group1-shard1of1.bin', weights);
    const gj = file('genbench.json', manifest({ 'model.json': mj.sha, 'group1-shard1of1.bin': shard.sha }));
    const r = await checkUpload([mj, shard, gj], { limits });
    expect(r.mainFile).toBe('model.json');
    expect(r.dataset).toBe('mnist');
    expect(r.files.map((f) => f.name).sort()).toEqual(['genbench.json', 'group1-shard1of1.bin', 'model.json']);
  });

  it('names a missing shard, an extra file and a changed shard', async () => {
    const mj = file('model.json', modelJson);
    const shard = file('group1-shard1of1.bin', weights);
    const gj = file('genbench.json', manifest({ 'model.json': mj.sha, 'group1-shard1of1.bin': shard.sha }));
    await expect(checkUpload([mj, gj], { limits })).rejects.toThrow(/names shard 'group1-shard1of1.bin' but it was not uploaded/);
    await expect(checkUpload([mj, shard, gj, file('other.bin', 'x')], { limits })).rejects.toThrow(/other\.bin: not a shard named by model\.json/);
    const changed = file('group1-shard1of1.bin', new Uint8Array([9]));
    await expect(checkUpload([mj, changed, gj], { limits })).rejects.toThrow(/group1-shard1of1\.bin: sha256 is .* but genbench\.json says/);
    await expect(checkUpload([mj, shard, gj, file('model.json', '{}')], { limits })).rejects.toThrow(/uploaded twice/);
  });

  it('refuses shard paths that leave the folder and oversized JSON', async () => {
    const evil = file('model.json', JSON.stringify({ weightsManifest: [{ paths: ['../../x.bin'] }] }));
    const gj = file('genbench.json', manifest({ 'model.json': evil.sha }));
    await expect(checkUpload([evil, gj], { limits })).rejects.toThrow(/shard path '\.\.\/\.\.\/x\.bin' must be a plain file name/);
    const big = file('genbench.json', ' '.repeat(100));
    await expect(checkUpload([big], { limits: { ...limits, maxJsonBytes: 10 } })).rejects.toThrow(/more than the 10 allowed/);
  });
});
