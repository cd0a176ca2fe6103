import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { encodeModel, type ElemType, type OnnxNode } from '../../src/io/onnx-model.js';

/**
 * Small ONNX generators shaped like PyTorch exports, built at test time with genbench's own ONNX encoder: the
 * latent input as a DCGAN takes it ([N, z, 1, 1]) or flat ([N, z]), in float32, float16 or float64, and the image
 * out in NCHW (PyTorch's own) or NHWC (after a Transpose), while the manifest always states NCHW [C, H, W]. Each
 * computes x = tanh(W z) for a fixed W (a deterministic ramp), so two variants of one image shape give the same
 * images from the same latents.
 */
export interface ExportVariant {
  readonly latent: number;
  readonly channels: 1 | 3;
  readonly size: number;
  readonly zShape: 'flat' | 'nchw';
  readonly dtype: 'float32' | 'float16' | 'float64';
  readonly layout: 'NCHW' | 'NHWC' | 'flat';
  /** A class-conditional model: one-hot labels y [N, classes] of `dtype`, added through their own weights. */
  readonly classes?: number;
}

const CAST: Record<ExportVariant['dtype'], number> = { float32: 1, float16: 10, float64: 11 };

export async function writeExport(path: string, v: ExportVariant, manifest: Record<string, unknown> = {}): Promise<void> {
  const { latent: k, channels: c, size: s } = v;
  const px = c * s * s;
  const w = Float32Array.from({ length: k * px }, (_, i) => (((i * 37) % 101) - 50) / (50 * Math.sqrt(k)));
  const nodes: OnnxNode[] = [
    { op: 'Cast', inputs: ['z'], outputs: ['z32'], attrs: { to: { int: 1 } } },
    { op: 'Reshape', inputs: ['z32', 'zflat'], outputs: ['zf'] },
    { op: 'MatMul', inputs: ['zf', 'w'], outputs: ['h'] },
    ...(v.classes === undefined
      ? [{ op: 'Tanh', inputs: ['h'], outputs: ['t'] }]
      : [
          { op: 'Cast', inputs: ['y'], outputs: ['y32'], attrs: { to: { int: 1 } } },
          { op: 'MatMul', inputs: ['y32', 'wy'], outputs: ['hy'] },
          { op: 'Add', inputs: ['h', 'hy'], outputs: ['hs'] },
          { op: 'Tanh', inputs: ['hs'], outputs: ['t'] },
        ]),
    { op: 'Reshape', inputs: ['t', 'chw'], outputs: ['nchw'] },
    ...(v.layout === 'NHWC' ? [{ op: 'Transpose', inputs: ['nchw'], outputs: ['img'], attrs: { perm: { ints: [0, 2, 3, 1] } } }] : []),
    ...(v.layout === 'flat' ? [{ op: 'Reshape', inputs: ['nchw', 'oflat'], outputs: ['img'] }] : []),
    ...(v.layout === 'NCHW' ? [{ op: 'Identity', inputs: ['nchw'], outputs: ['img'] }] : []),
    { op: 'Cast', inputs: ['img'], outputs: ['x'], attrs: { to: { int: CAST[v.dtype] } } },
  ];
  const outShape = v.layout === 'NCHW' ? ['N', c, s, s] : v.layout === 'NHWC' ? ['N', s, s, c] : ['N', px];
  const bytes = encodeModel(
    {
      name: 'pytorch_like_generator',
      nodes,
      initializers: [
        { name: 'w', dims: [k, px], data: w },
        { name: 'zflat', dims: [2], data: BigInt64Array.of(-1n, BigInt(k)) },
        ...(v.classes === undefined ? [] : [{ name: 'wy', dims: [v.classes, px], data: Float32Array.from({ length: v.classes * px }, (_, i) => ((i * 13) % 7) / 7 - 0.5) }]),
        ...(v.layout === 'flat' ? [{ name: 'oflat', dims: [2], data: BigInt64Array.of(-1n, BigInt(px)) }] : []),
        { name: 'chw', dims: [4], data: BigInt64Array.of(-1n, BigInt(c), BigInt(s), BigInt(s)) },
      ],
      inputs: [
        { name: 'z', type: v.dtype as ElemType, shape: v.zShape === 'nchw' ? ['N', k, 1, 1] : ['N', k] },
        ...(v.classes === undefined ? [] : [{ name: 'y', type: v.dtype as ElemType, shape: ['N', v.classes] }]),
      ],
      outputs: [{ name: 'x', type: v.dtype as ElemType, shape: outShape }],
    },
    { opset: 13 },
  );
  await writeFile(path, bytes);
  const m = {
    name: 'pytorch-like',
    format: 'onnx',
    file: path.split('/').pop(),
    input: 'z',
    latent_dim: k,
    output: 'x',
    output_layout: 'NCHW',
    output_range: '[-1,1]',
    image_shape: [c, s, s],
    conditional: v.classes === undefined ? null : { classes: v.classes, input: 'y', encoding: 'onehot' },
    sha256: createHash('sha256').update(bytes).digest('hex'),
    ...manifest,
  };
  await writeFile(path.replace(/\.onnx$/, '.genbench.json'), JSON.stringify(m));
}
