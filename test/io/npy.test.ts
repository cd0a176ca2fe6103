import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import { encodeNpy, halfToFloat, parseNpy, readNpy, writeNpy } from '../../src/io/npy.js';
import { optionalSharedAssets } from '../helpers/assets.js';

function header(descr: string, shape: string, fortran = 'False'): Uint8Array {
  let h = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
  h += ' '.repeat((64 - ((10 + h.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + h.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, h.length, true);
  out.set(new TextEncoder().encode(h), 10);
  return out;
}

function withPayload(h: Uint8Array, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(h.length + payload.length);
  out.set(h);
  out.set(payload, h.length);
  return out;
}

describe('npy', () => {
  it('round-trips float32, float64, uint8 and int32 through a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'npy-'));
    const cases = [
      new Float32Array([1.5, -2, 3.25, 0, 1e-8, 7]),
      new Float64Array([Math.PI, -Math.E, 1e300, 0, 5, 6]),
      new Uint8Array([0, 1, 127, 128, 254, 255]),
      new Int32Array([-2147483648, -1, 0, 1, 2147483647, 42]),
    ];
    for (const data of cases) {
      const p = join(dir, `${data.constructor.name}.npy`);
      await writeNpy(p, data, [2, 3]);
      const back = await readNpy(p);
      expect(back.shape).toEqual([2, 3]);
      expect(Array.from(back.data)).toEqual(Array.from(data));
      expect(back.data.constructor).toBe(data.constructor);
    }
  });

  it('pads the header so the payload starts on a 64-byte boundary, 1-D shapes with a trailing comma', () => {
    const bytes = encodeNpy(new Float32Array(3), [3]);
    const headerLen = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + headerLen) % 64).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLen))).toContain("'shape': (3,)");
  });

  it('decodes float16 including subnormals, infinities and NaN', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
    const payload = new Uint8Array(new Uint16Array([0x3c00, 0x3555]).buffer);
    const a = parseNpy(withPayload(header('<f2', '(2,)'), payload), 'h.npy');
    expect(a.dtype).toBe('float16');
    expect(a.data[1]).toBeCloseTo(1 / 3, 3);
  });

  it('reads int64 into float64 and refuses values beyond 2^53', () => {
    const ok = new BigInt64Array([-3n, 2n ** 40n]);
    const a = parseNpy(withPayload(header('<i8', '(2,)'), new Uint8Array(ok.buffer)), 'i.npy');
    expect(Array.from(a.data)).toEqual([-3, 2 ** 40]);
    const big = new BigInt64Array([2n ** 60n]);
    expect(() => parseNpy(withPayload(header('<i8', '(1,)'), new Uint8Array(big.buffer)), 'big.npy')).toThrow(/big\.npy.*does not fit/);
  });

  it.each([
    ['Fortran order', header('<f4', '(2, 2)', 'True'), /big|Fortran/],
    ['big-endian', header('>f4', '(2,)'), /big-endian/],
    ['object arrays', header('|O', '(2,)'), /object arrays/],
    ['unsupported dtype', header('<c16', '(2,)'), /dtype '<c16' is not supported/],
  ])('rejects %s with an INPUT error naming the file', (_what, bytes, pattern) => {
    const err = (() => {
      try {
        parseNpy(withPayload(bytes, new Uint8Array(64)), 'bad.npy');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(GenbenchError);
    expect((err as GenbenchError).code).toBe('INPUT');
    expect((err as GenbenchError).message).toMatch(/^bad\.npy: /);
    expect((err as GenbenchError).message).toMatch(pattern);
  });

  it('rejects a truncated payload and a file that is not npy', () => {
    expect(() => parseNpy(withPayload(header('<f4', '(4,)'), new Uint8Array(8)), 't.npy')).toThrow(/t\.npy: truncated/);
    expect(() => parseNpy(new TextEncoder().encode('hello world, not numpy'), 'x.npy')).toThrow(/x\.npy: not a \.npy file/);
  });

  it('reports a missing file as NOT_FOUND', async () => {
    await expect(readNpy('/nonexistent/a.npy')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  const shared = optionalSharedAssets();
  it.skipIf(!shared)('reads the shared fixtures (float16 features, uint8 samples, float32 latents)', async () => {
    const fd = await readNpy(join(shared!, 'fixtures/metrics/is-logits/logits.npy'));
    expect(fd.dtype).toBe('float16');
    expect(fd.shape).toEqual([5000, 1000]);
    const s = await readNpy(join(shared!, 'fixtures/submissions/mnist-dcgan.reference_samples.npy'));
    expect(s.dtype).toBe('uint8');
    expect(s.shape).toEqual([256, 28, 28]);
    // Re-encoding what we read gives back the original payload bytes.
    const raw = await readFile(join(shared!, 'fixtures/submissions/mnist-dcgan.reference_z.npy'));
    const z = parseNpy(raw, 'z');
    const again = encodeNpy(z.data as Float32Array, z.shape);
    expect(Buffer.from(again.subarray(again.length - z.data.byteLength)).equals(raw.subarray(raw.length - z.data.byteLength))).toBe(true);
    await writeFile(join(await mkdtemp(join(tmpdir(), 'npy-')), 'z.npy'), again);
  });
});
