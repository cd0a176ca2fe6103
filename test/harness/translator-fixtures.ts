import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { encodeModel, type OnnxNode, type OnnxTensor } from '../../src/io/onnx-model.js';

/**
 * Tiny ONNX translators built at test time, with their manifests (X.genbench.json beside X.onnx):
 * - identity: y = x;
 * - nan: y = sqrt(x - 0.25), within [0, 1] but NaN wherever an input value is below 0.25 (not for the load-time
 *   mid-grey probe);
 * - pool: a 2x2 max-pool, so the output is half the input's size (the manifest says so);
 * - x255: y = 255 x, outputs on the 0..255 scale while the manifest says [0,1];
 * - threshold: y = (label / 255) relu(sign(x - 0.3)), a label map: `label` (default 1) where the input is above
 *   0.3 of its range, background elsewhere (on the targets' 0..255 scale the output is the label).
 */
export type TranslatorKind = 'identity' | 'nan' | 'pool' | 'x255' | 'threshold';

export interface TranslatorFixture {
  readonly kind: TranslatorKind;
  /** One image [C, H, W] (NCHW). */
  readonly shape: readonly [number, number, number];
  readonly task?: string;
  readonly range?: '[0,1]' | '[-1,1]' | '[0,255]';
  /** threshold: the label it writes (1..255). */
  readonly label?: number;
}

export async function writeTranslator(onnxPath: string, f: TranslatorFixture): Promise<void> {
  const [c, h, w] = f.shape;
  const out = f.kind === 'pool' ? ([c, Math.floor(h / 2), Math.floor(w / 2)] as const) : f.shape;
  const nodes: OnnxNode[] = {
    identity: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
    nan: [{ op: 'Sub', inputs: ['x', 'q'], outputs: ['d'] }, { op: 'Sqrt', inputs: ['d'], outputs: ['y'] }],
    pool: [{ op: 'MaxPool', inputs: ['x'], outputs: ['y'], attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } } }],
    x255: [{ op: 'Mul', inputs: ['x', 'k'], outputs: ['y'] }],
    threshold: [
      { op: 'Sub', inputs: ['x', 'q'], outputs: ['d'] },
      { op: 'Sign', inputs: ['d'], outputs: ['s'] },
      { op: 'Relu', inputs: ['s'], outputs: ['m'] },
      { op: 'Mul', inputs: ['m', 'k'], outputs: ['y'] },
    ],
  }[f.kind];
  const initializers: OnnxTensor[] = {
    identity: [],
    nan: [{ name: 'q', dims: [1], data: Float32Array.of(0.25) }],
    pool: [],
    x255: [{ name: 'k', dims: [1], data: Float32Array.of(255) }],
    threshold: [{ name: 'q', dims: [1], data: Float32Array.of(0.3) }, { name: 'k', dims: [1], data: Float32Array.of((f.label ?? 1) / 255) }],
  }[f.kind];
  const bytes = encodeModel(
    { name: `${f.kind}_translator`, nodes, initializers, inputs: [{ name: 'x', type: 'float32', shape: ['N', c, h, w] }], outputs: [{ name: 'y', type: 'float32', shape: ['N', ...out] }] },
    { opset: 13 },
  );
  await writeFile(onnxPath, bytes);
  const range = f.range ?? '[0,1]';
  const manifest = {
    name: `${f.kind}-translator`,
    kind: 'translator',
    format: 'onnx',
    file: basename(onnxPath),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    ...(f.task === undefined ? {} : { task: f.task }),
    input: 'x',
    output: 'y',
    layout: 'NCHW',
    input_shape: [c, h, w],
    output_shape: [...out],
    input_range: range,
    output_range: range,
  };
  await writeFile(onnxPath.replace(/\.onnx$/, '.genbench.json'), JSON.stringify(manifest));
}
