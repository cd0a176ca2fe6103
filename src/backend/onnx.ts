import { availableParallelism } from 'node:os';
import ort from 'onnxruntime-node';
import { GenbenchError } from '../errors.js';

/**
 * The one way genbench opens an ONNX Runtime session for inference (generators, feature networks): options chosen
 * for throughput on CPU (all cores inside each op, one graph at a time, every graph optimisation), and a load
 * failure reported as a one-line INPUT error naming the model.
 *
 * @example
 * const s = await openOnnxSession('subs/mnist-dcgan.onnx'); // s.inputNames: ['z']
 * await s.release();
 */
export function onnxSessionOptions(threads?: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads ?? availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
}

/** Opens `model` (a file path, or ONNX bytes named by `what` in errors). */
export async function openOnnxSession(model: string | Uint8Array, what = typeof model === 'string' ? model : 'ONNX model', threads?: number): Promise<ort.InferenceSession> {
  try {
    return typeof model === 'string'
      ? await ort.InferenceSession.create(model, onnxSessionOptions(threads))
      : await ort.InferenceSession.create(model, onnxSessionOptions(threads));
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new GenbenchError('INPUT', `${what}: onnxruntime cannot load this model: ${msg}`, { cause: e });
  }
}
