import ort from 'onnxruntime-node';
import { GenbenchError } from '../errors.js';
import { outputFloat32 } from './onnx-io.js';
import type { TranslatorManifest } from './translator-manifest.js';

/**
 * What a translator runs on, below the checks of translator.ts: one batch in (dims in the manifest's layout), one
 * batch out with the dims the model produced. `onnxEngine` wraps an onnxruntime session (an .onnx translator, or a
 * TF.js layers translator converted by convert/open.ts) after checking its signature against the manifest: the
 * names exist, one image input, fixed dims equal to the manifest's shapes, a float32 input.
 *
 * @example
 * const e = onnxEngine({ session, manifest, manifestPath, file: '/m/t.onnx', name: 'onnxruntime-node 1.20.1 (cpu)' });
 * e.fixedBatch; // undefined (a dynamic batch dim), or the model's fixed batch size
 * (await e.run(x, [2, 28, 28, 1])).dims; // [2, 28, 28, 1]
 */
export interface TranslatorEngine {
  /** The engine string of reports (recipe.backend). */
  readonly name: string;
  /** The model's fixed batch size, if it has one. */
  readonly fixedBatch: number | undefined;
  run(x: Float32Array, dims: readonly number[]): Promise<{ data: Float32Array; dims: number[] }>;
  release(): void;
}

type Meta = { name: string; isTensor?: boolean; type?: string; shape?: readonly (number | string)[] };

export interface OnnxEngineRequest {
  readonly session: ort.InferenceSession;
  readonly manifest: TranslatorManifest;
  readonly manifestPath: string;
  /** The model file, for messages. */
  readonly file: string;
  readonly name: string;
}

export function onnxEngine(req: OnnxEngineRequest): TranslatorEngine {
  const { session, manifest: m, file } = req;
  const fixedBatch = checkSignature(session, m, req.manifestPath);
  const inType = ((session.inputMetadata as readonly Meta[]).find((x) => x.name === m.input)?.type ?? 'float32') as string;
  if (inType !== 'float32') throw new GenbenchError('UNSUPPORTED', `${file}: input '${m.input}' is ${inType}; genbench feeds float32 images to translators`);
  return {
    name: req.name,
    fixedBatch,
    async run(x, dims) {
      const feed = new ort.Tensor('float32', x, [...dims]);
      const result = await session.run({ [m.input]: feed }, [m.output]);
      const out = result[m.output]!;
      try {
        return { data: Float32Array.from(outputFloat32(out, m.output, file)), dims: out.dims.map(Number) };
      } finally {
        for (const t of Object.values(result)) t.dispose();
        feed.dispose();
      }
    },
    release: () => void session.release().catch(() => {}),
  };
}

/** Names present, inputs all fed, fixed dims equal to the manifest's; returns a fixed batch size if the model has one. */
function checkSignature(s: ort.InferenceSession, m: TranslatorManifest, manifestPath: string): number | undefined {
  const fail = manifestFieldError(manifestPath);
  if (!s.inputNames.includes(m.input)) fail('input', `is '${m.input}' but the model's inputs are: ${s.inputNames.join(', ')}`);
  if (!s.outputNames.includes(m.output)) fail('output', `is '${m.output}' but the model's outputs are: ${s.outputNames.join(', ')}`);
  const extra = s.inputNames.filter((n) => n !== m.input);
  if (extra.length > 0) fail('input', `names one input but the model also takes ${extra.join(', ')}; a translator takes one image batch`);
  const inMeta = (s.inputMetadata as readonly Meta[]).find((x) => x.name === m.input);
  checkDims(inMeta?.shape, inMeta?.name ?? m.input, m, 'input_shape', fail);
  const outMeta = (s.outputMetadata as readonly Meta[]).find((x) => x.name === m.output);
  checkDims(outMeta?.shape, outMeta?.name ?? m.output, m, 'output_shape', fail);
  const batch = inMeta?.shape?.[0];
  return typeof batch === 'number' && batch > 0 ? batch : undefined;
}

/** The one-line INPUT error of a manifest field the model contradicts (shared by the onnxruntime and tfjs engines). */
export function manifestFieldError(manifestPath: string): (field: string, what: string) => never {
  return (field, what) => {
    throw new GenbenchError('INPUT', `${manifestPath}: field '${field}' ${what}`);
  };
}

/**
 * A declared tensor shape (rank 4, batch first; unknown dims as strings, null or <= 0) against the manifest's
 * image shape: rank and every fixed dim must agree (shared by the onnxruntime and tfjs engines).
 */
export function checkDims(
  dims: readonly (number | string | null)[] | undefined,
  name: string,
  m: TranslatorManifest,
  field: 'input_shape' | 'output_shape',
  fail: (field: string, what: string) => never,
): void {
  if (dims === undefined) return;
  if (dims.length !== 4) fail(field, `is [${m[field].join(',')}] but the model's '${name}' has rank ${dims.length} ([${dims.join(',')}]); a translator maps [N,C,H,W] or [N,H,W,C] batches`);
  dims.slice(1).forEach((d, i) => {
    if (typeof d === 'number' && d > 0 && d !== m[field][i]) fail(field, `is [${m[field].join(',')}] (${m.layout}) but the model declares '${name}' as [${dims.join(',')}]`);
  });
}
