import { gemm, gramFloat32 } from '../../src/linalg/gemm.js';
import { machinePeak, type Peak } from './reference-process.mjs';

/**
 * What the TypeScript benchmarks need for their floors: the machine's GEMM peak (reference-process.mjs
 * machinePeak with genbench's ONNX Runtime GEMM from src/) and the multiply-add work of a DCGAN training step.
 */
export function benchPeak(): Promise<Peak> {
  return machinePeak({ gemm, gramFloat32 });
}

/**
 * Flops (2 per multiply-add) of one DCGAN step at batch `b` on 28x28x1 (reference-models/gan.ts, the architecture
 * of bench/dcgan_step_torch.py): G = dense 100->7x7x128, deconv 4x4/2 to 64, deconv 4x4/2 to 1; D = conv 4x4/2 to
 * 64, conv 4x4/2 to 128, dense to 1. A layer's forward costs F, its weight gradient F and its input gradient F (none
 * for the input of a network's first layer when that input needs no gradient). Per step: D on the real and on the
 * detached fake batch with full backward (2 (3 F_D - F_conv1)), G forward once (F_G), D on the fake batch with input
 * gradients (3 F_D), G backward (2 F_G - F_dense).
 */
export function dcganStepFlops(b: number): number {
  const g = { dense: 2 * b * 100 * 7 * 7 * 128, deconv1: 2 * b * 7 * 7 * 128 * 64 * 16, deconv2: 2 * b * 14 * 14 * 64 * 1 * 16 };
  const d = { conv1: 2 * b * 14 * 14 * 64 * 1 * 16, conv2: 2 * b * 7 * 7 * 128 * 64 * 16, dense: 2 * b * 7 * 7 * 128 };
  const fG = g.dense + g.deconv1 + g.deconv2;
  const fD = d.conv1 + d.conv2 + d.dense;
  return 2 * (3 * fD - d.conv1) + fG + 3 * fD + (2 * fG - g.dense);
}
