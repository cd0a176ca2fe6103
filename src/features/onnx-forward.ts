import { openOnnxSession } from '../backend/onnx.js';
import ort from 'onnxruntime-node';
import { GenbenchError } from '../errors.js';
import type { BatchForward } from './assemble.js';
import type { Preprocessing } from './types.js';

/**
 * ONNX feature networks through onnxruntime-node (CPU execution provider, all cores, full graph optimisation): one
 * session, several named outputs per run. The session is released by `release()`; no session outlives its extractor.
 *
 * @example
 * const onnx = await onnxForward('disc.onnx', 'x', ['f1', 'f2', 'logit'], prep, 'disc.genbench.json');
 * onnx.dims; // { f1: 12544, f2: 6272, logit: 1 }
 */
export interface OnnxForward {
  readonly forward: BatchForward;
  readonly release: () => Promise<void>;
  /** Flattened size per image of each output where the model declares it statically. */
  readonly dims: Readonly<Record<string, number | undefined>>;
  readonly engine: string;
  /** Set when the model's batch dimension is a fixed number. */
  readonly fixedBatch?: number;
}

type Meta = { name: string; isTensor?: boolean; type?: string; shape?: readonly (number | string)[] };

/** Opens `file`, checks that `input` and every name in `names` exist (`source`: the manifest, named in errors). */
export async function onnxForward(file: string, input: string, names: readonly string[], p: Preprocessing, source: string): Promise<OnnxForward> {
  return sessionForward(await openOnnxSession(file), file, input, names, p, source);
}

/** `onnxForward` over a session already open (`file` names the model in errors); the session is released on failure. */
export async function sessionForward(session: ort.InferenceSession, file: string, input: string, names: readonly string[], p: Preprocessing, source: string): Promise<OnnxForward> {
  try {
    checkNames(session, input, names, source);
  } catch (e) {
    await session.release().catch(() => undefined);
    throw e;
  }
  const shapeOf = (n: number): number[] => (p.layout === 'NCHW' ? [n, p.channels, p.height, p.width] : [n, p.height, p.width, p.channels]);
  const forward: BatchForward = async (x, n, wanted) => {
    const result = await session.run({ [input]: new ort.Tensor('float32', x, shapeOf(n)) }, [...wanted]);
    const out: Record<string, Float32Array> = {};
    for (const w of wanted) {
      const t = result[w]!;
      if (t.type !== 'float32') throw new GenbenchError('UNSUPPORTED', `${file}: output '${w}' is ${t.type}; feature outputs must be float32`);
      out[w] = t.data as Float32Array;
    }
    return out;
  };
  const outMeta = session.outputMetadata as readonly Meta[];
  const dims = Object.fromEntries(names.map((n) => [n, flatSize(outMeta.find((m) => m.name === n)?.shape)]));
  const batch = (session.inputMetadata as readonly Meta[]).find((m) => m.name === input)?.shape?.[0];
  return {
    forward,
    dims,
    engine: `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common} (cpu)`,
    release: () => session.release(),
    ...(typeof batch === 'number' && batch > 0 ? { fixedBatch: batch } : {}),
  };
}

function checkNames(s: ort.InferenceSession, input: string, names: readonly string[], source: string): void {
  if (!s.inputNames.includes(input)) {
    throw new GenbenchError('INPUT', `${source}: field 'input' is '${input}' but the model's inputs are: ${s.inputNames.join(', ')}`);
  }
  const extra = s.inputNames.filter((n) => n !== input);
  if (extra.length > 0) {
    throw new GenbenchError('UNSUPPORTED', `${source}: the model has more inputs than '${input}' (${extra.join(', ')}); export a feature model with one image input`);
  }
  for (const n of names) {
    if (!s.outputNames.includes(n)) {
      throw new GenbenchError('INPUT', `${source}: field 'outputs' names '${n}' but the model's outputs are: ${s.outputNames.join(', ')}`);
    }
  }
}

/** Product of the non-batch dims of an ONNX shape, or undefined when one is symbolic. */
function flatSize(shape: readonly (number | string)[] | undefined): number | undefined {
  if (shape === undefined || shape.length < 2) return undefined;
  let size = 1;
  for (const d of shape.slice(1)) {
    if (typeof d !== 'number' || d < 0) return undefined;
    size *= d;
  }
  return size;
}
