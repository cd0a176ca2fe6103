import ort from 'onnxruntime-node';
import { GenbenchError } from '../errors.js';
import { halfToFloat } from '../io/npy.js';

/**
 * What PyTorch exports look like at the ONNX boundary, adapted to genbench's latents [n, latent_dim] float32 and
 * float32 images: a latent input of any rank whose non-batch dims hold latent_dim values (DCGAN's z [N, 100, 1, 1],
 * [N, 1, 1, 100], or plain [N, 100]; symbolic non-batch dims are taken as 1), fed as float32, float16 (a `.half()`
 * export) or float64 as the input declares; outputs of float16 or float64 are read as float32.
 *
 * @example
 * const shape = latentShape({ name: 'z', type: 'float16', shape: ['N', 100, 1, 1] }, 100, 'g.genbench.json');
 * latentTensor(z, 8, shape).dims; // [8, 100, 1, 1], type 'float16'
 * outputFloat32(result['x']);     // Float32Array
 */
export interface LatentShape {
  /** Non-batch dims as fed. */
  readonly dims: readonly number[];
  readonly type: 'float32' | 'float16' | 'float64';
}

type Meta = { name: string; isTensor?: boolean; type?: string; shape?: readonly (number | string)[] };

export function latentShape(meta: Meta | undefined, latentDim: number, manifestPath: string): LatentShape {
  const type = meta?.type ?? 'float32';
  if (type !== 'float32' && type !== 'float16' && type !== 'float64') {
    throw new GenbenchError('UNSUPPORTED', `${manifestPath}: latent input '${meta?.name}' is ${type}; genbench feeds float32, float16 or float64 latents`);
  }
  const declared = meta?.shape ?? ['N', latentDim];
  if (declared.length < 2) throw new GenbenchError('INPUT', `${manifestPath}: latent input '${meta?.name}' has shape [${declared.join(',')}]; expected [N, ${latentDim}] or [N, ${latentDim}, 1, 1]`);
  const rest = declared.slice(1);
  const numeric = rest.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  // one symbolic dim among fixed ones takes what latent_dim leaves for it
  const symbolic = rest.map((d, i) => (typeof d === 'number' && d > 0 ? -1 : i)).filter((i) => i >= 0);
  const fixed = numeric.reduce((a, b) => a * b, 1);
  const dims = symbolic.length >= 1 && fixed !== latentDim && latentDim % fixed === 0 ? numeric.map((d, i) => (i === symbolic[0] ? latentDim / fixed : d)) : numeric;
  const values = dims.reduce((a, b) => a * b, 1);
  if (values !== latentDim) {
    throw new GenbenchError('INPUT', `${manifestPath}: field 'latent_dim' is ${latentDim} but input '${meta?.name}' has ${values} values per row (shape [${declared.join(',')}]); fix latent_dim`);
  }
  return { dims, type };
}

/** The latents [n, latent_dim] as the model's input tensor. */
export function latentTensor(z: Float32Array, n: number, s: LatentShape): ort.Tensor {
  const dims = [n, ...s.dims];
  if (s.type === 'float64') return new ort.Tensor('float64', Float64Array.from(z), dims);
  if (s.type === 'float16') return new ort.Tensor('float16', Uint16Array.from(z, floatToHalf), dims);
  return new ort.Tensor('float32', z, dims);
}

/** A float output tensor's values as float32; other element types are an UNSUPPORTED error naming the output. */
export function outputFloat32(t: ort.Tensor, name: string, file: string): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float64') return Float32Array.from(t.data as Float64Array);
  if (t.type === 'float16') return Float32Array.from(t.data as Uint16Array, halfToFloat);
  throw new GenbenchError('UNSUPPORTED', `${file}: output '${name}' is ${t.type}; genbench reads float32, float16 or float64 images`);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** A number to IEEE 754 half precision bits, rounded to nearest even (overflow to infinity, subnormals kept). */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rem > mid || (rem === mid && (half & 1)) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  return sign | (half + (rem > 0x1000 || (rem === 0x1000 && (half & 1)) ? 1 : 0));
}
