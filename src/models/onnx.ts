import { openOnnxSession } from '../backend/onnx.js';
import ort from 'onnxruntime-node';
import { GenbenchError } from '../errors.js';
import { assembleGenerator } from './generator.js';
import { floatToHalf, latentShape, latentTensor, outputFloat32 } from './onnx-io.js';
import type { GeneratorManifest } from './manifest.js';
import type { ForwardFn, Generator } from './types.js';

/**
 * ONNX generators through onnxruntime-node (CPU execution provider, all cores, full graph optimisation).
 * The manifest's input, output and conditioning names must exist in the session, and the latent size and class
 * count must agree with the model's declared input shapes. PyTorch exports run as they come (onnx-io.ts): a latent
 * input [N, z, 1, 1] is fed as such, float16 and float64 inputs and outputs are converted. Output NCHW is turned
 * into NHWC by the generator (which also detects a model that emits the other layout than its manifest states).
 *
 * @example
 * const g = await loadOnnxGenerator({ manifest, manifestPath, file: 'subs/mnist-dcgan.onnx', sha256 });
 * (await g.generate(z)).data.length; // n * 28 * 28
 */
export interface OnnxLoadRequest {
  readonly manifest: GeneratorManifest;
  readonly manifestPath: string;
  /** Absolute path of the .onnx file (already checksummed). */
  readonly file: string;
  readonly sha256: string;
}

type Meta = { name: string; isTensor: boolean; type?: string; shape?: readonly (number | string)[] };

export async function loadOnnxGenerator(req: OnnxLoadRequest): Promise<Generator> {
  const { manifest: m, manifestPath, file } = req;
  const session = await openOnnxSession(file);
  try {
    const fixedBatch = checkSignature(session, m, manifestPath);
    const zShape = latentShape(metaOf(session.inputMetadata, m.input), m.latent_dim, manifestPath);
    const condMeta = m.conditional ? metaOf(session.inputMetadata, m.conditional.input) : undefined;
    const condType = condMeta?.type ?? 'float32';
    const condRank = condMeta?.shape?.length ?? 1;
    const forward: ForwardFn = async (z, n, labels) => {
      const feeds: Record<string, ort.Tensor> = { [m.input]: latentTensor(z, n, zShape) };
      if (m.conditional && labels) feeds[m.conditional.input] = conditionTensor(labels, m.conditional, condType, condRank);
      const result = await session.run(feeds, [m.output]);
      const out = result[m.output]!;
      return { data: outputFloat32(out, m.output, file), shape: out.dims.map(Number) };
    };
    return await assembleGenerator({
      manifest: m,
      manifestPath,
      path: file,
      sha256: req.sha256,
      engine: `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common} (cpu)`,
      forward,
      ...(fixedBatch === undefined ? {} : { fixedBatch }),
      release: () => void session.release(),
    });
  } catch (e) {
    void session.release().catch(() => {});
    throw e;
  }
}

/** Checks names and declared dims against the manifest; returns the fixed batch size if the model has one. */
export function checkSignature(s: ort.InferenceSession, m: GeneratorManifest, manifestPath: string): number | undefined {
  const fail = (field: string, what: string): never => {
    throw new GenbenchError('INPUT', `${manifestPath}: field '${field}' ${what}`);
  };
  const ins = s.inputNames.join(', ');
  if (!s.inputNames.includes(m.input)) fail('input', `is '${m.input}' but the model's inputs are: ${ins}`);
  if (!s.outputNames.includes(m.output)) fail('output', `is '${m.output}' but the model's outputs are: ${s.outputNames.join(', ')}`);
  const c = m.conditional;
  if (c && !s.inputNames.includes(c.input)) fail('conditional.input', `is '${c.input}' but the model's inputs are: ${ins}`);
  const fed = new Set([m.input, ...(c ? [c.input] : [])]);
  const unfed = s.inputNames.filter((n) => !fed.has(n));
  if (unfed.length > 0) fail('conditional', `does not name model input(s) ${unfed.join(', ')}; a conditional model needs "conditional": {"classes", "input", "encoding"}`);
  const zMeta = metaOf(s.inputMetadata, m.input);
  const zDims = zMeta?.shape?.slice(1) ?? [];
  const zDim = zDims.every((d) => typeof d === 'number') ? (zDims as number[]).reduce((a, b) => a * b, 1) : undefined;
  if (zDim !== undefined && zDims.length > 0 && zDim !== m.latent_dim) fail('latent_dim', `is ${m.latent_dim} but input '${m.input}' has ${zDim} values per row (shape [${zMeta!.shape!.join(',')}])`);
  if (c && c.encoding === 'onehot') {
    const yDim = metaOf(s.inputMetadata, c.input)?.shape?.[1];
    if (typeof yDim === 'number' && yDim !== c.classes) fail('conditional.classes', `is ${c.classes} but one-hot input '${c.input}' has ${yDim} columns`);
  }
  const batch = zMeta?.shape?.[0];
  return typeof batch === 'number' && batch > 0 ? batch : undefined;
}

function metaOf(list: readonly unknown[], name: string): Meta | undefined {
  return (list as Meta[]).find((x) => x.name === name);
}

export function conditionTensor(labels: Int32Array, c: NonNullable<GeneratorManifest['conditional']>, type: string, rank: number): ort.Tensor {
  const n = labels.length;
  const dims = rank === 2 ? [n, 1] : [n];
  if (c.encoding === 'onehot') {
    const y = new Float32Array(n * c.classes);
    for (let i = 0; i < n; i++) y[i * c.classes + labels[i]!] = 1;
    if (type === 'float64') return new ort.Tensor('float64', Float64Array.from(y), [n, c.classes]);
    if (type === 'float16') return new ort.Tensor('float16', Uint16Array.from(y, floatToHalf), [n, c.classes]);
    return new ort.Tensor('float32', y, [n, c.classes]);
  }
  if (type === 'int32') return new ort.Tensor('int32', Int32Array.from(labels), dims);
  return new ort.Tensor('int64', BigInt64Array.from(labels, (l) => BigInt(l)), dims);
}
