import * as tf from '@tensorflow/tfjs';
import { GenbenchError } from '../src/errors.js';
import { Adam } from './adam.js';
import { trainable } from './gan.js';
import { initWeights } from './init.js';
import { lsgan, noPreview, TRANSLATOR_ADAM, TRANSLATOR_INIT, targetsOf, translatorFields, tripletRows, UNIT } from './translator-common.js';
import { OUTPUT_LAYER, patchDiscriminator, requireDivisible, resnetGenerator } from './translator-nets.js';
import type { Batch, ModelContext, ReferenceModel, Scalars, TrainableModel } from './types.js';

/**
 * `cyclegan` (Zhu et al. 2017), scaled down: two ResNet generators G: A -> B and F: B -> A (one stride-2 level, two
 * residual blocks, 16/32 channels) and two PatchGAN discriminators D_A, D_B, on unpaired data (the source domain A,
 * the target domain B; a paired task is read as two domains, its pairs ignored). Losses, as the paper's:
 * - D: (LSGAN(D_B(b), 1) + LSGAN(D_B(G(a)), 0)) / 2 + the same for D_A on a and F(b);
 * - G and F: LSGAN(D_B(G(a)), 1) + LSGAN(D_A(F(b)), 1) + lambda_cyc (|F(G(a)) - a| + |G(F(b)) - b|)
 *   + lambda_id lambda_cyc (|G(b) - b| + |F(a) - a|), lambda_cyc = 10, lambda_id = 0.5 (means over pixels).
 * No history pool of generated images (D sees the current batch's). Adam 1e-3 / beta1 0.5, Glorot weights
 * (translator-common.ts). The checkpoint exports G
 * as `translator.onnx` (direction source -> target) and F as `reverse.onnx` (target -> source) with its own
 * manifest, for `evaluate --reverse-translator`. Held out: `cycle_l1`, the mean |F(G(a)) - a| in uint8 units (the
 * evaluation's cycle_l1), and `identity_l1`, the mean |G(a) - a| (how much G changes its input).
 *
 * @example
 * genbench train --model cyclegan --task pneumonia-normal-to-pneumonia --minutes 2 --out runs/cyclegan
 */
export const CYCLE_LAMBDA = 10;
export const IDENTITY_LAMBDA = 0.5;

export const cyclegan: ReferenceModel = {
  name: 'cyclegan',
  description: `CycleGAN: two ResNet generators, two PatchGANs, LSGAN + ${CYCLE_LAMBDA} x cycle L1 + ${IDENTITY_LAMBDA * CYCLE_LAMBDA} x identity L1`,
  role: 'translator',
  pairing: 'unpaired',
  needsLabels: false,
  inputRange: [-1, 1],
  defaults: { batch: 16, epochs: 5 },
  build: buildCycleGan,
};

function buildCycleGan(ctx: ModelContext): TrainableModel {
  const b = ctx.targetShape ?? ctx.shape;
  requireDivisible('cyclegan', ctx.shape, 2);
  if (b.height !== ctx.shape.height || b.width !== ctx.shape.width || b.channels !== ctx.shape.channels) {
    throw new GenbenchError('UNSUPPORTED', `--model cyclegan needs both domains of one shape (its identity loss feeds each generator the other's domain); the task's are ${ctx.shape.height}x${ctx.shape.width}x${ctx.shape.channels} and ${b.height}x${b.width}x${b.channels}`);
  }
  const g = resnetGenerator(ctx.shape, b, 'g');
  const f = resnetGenerator(b, ctx.shape, 'f');
  const dA = patchDiscriminator(ctx.shape, 'da');
  const dB = patchDiscriminator(b, 'db');
  const nets = { g, f, d_a: dA, d_b: dB };
  for (const [k, m] of Object.entries(nets)) initWeights(m, ctx.rng.fork(k), TRANSLATOR_INIT);
  const optG = new Adam([...trainable(g), ...trainable(f)], TRANSLATOR_ADAM);
  const optD = new Adam([...trainable(dA), ...trainable(dB)], TRANSLATOR_ADAM);
  const run = (m: tf.LayersModel, x: tf.Tensor): tf.Tensor4D => m.apply(x, { training: false }) as tf.Tensor4D;
  const fields = translatorFields(ctx, { losses: { adversarial: 'LSGAN', cycle_l1: CYCLE_LAMBDA, identity_l1: IDENTITY_LAMBDA * CYCLE_LAMBDA } });
  return {
    nets,
    optimizers: { generators: optG, discriminators: optD },
    exported: g,
    manifest: { ...fields, direction: 'source->target' },
    onnx: { output: OUTPUT_LAYER, reverse: { model: f, output: OUTPUT_LAYER, manifest: { ...reverseFields(fields), direction: 'target->source' } } },
    step: (batch) => cycleStep({ g, f, dA, dB, optG, optD }, batch),
    preview: (_rng, fixed) => {
      if (!fixed) return noPreview(ctx);
      const [y, back] = tf.tidy(() => {
        const t = run(g, fixed.images);
        return [t, run(f, t)];
      });
      const rows = tripletRows([fixed.images, y!, back!]);
      tf.dispose([y!, back!]);
      return rows;
    },
    evaluate: (batch) => {
      const [cyc, idt] = tf.tidy(() => {
        const t = run(g, batch.images);
        return [tf.mean(tf.abs(tf.sub(run(f, t), batch.images))), tf.mean(tf.abs(tf.sub(t, batch.images)))];
      });
      const s = { cycle_l1: cyc!.dataSync()[0]! * UNIT, identity_l1: idt!.dataSync()[0]! * UNIT };
      tf.dispose([cyc!, idt!]);
      return s;
    },
  };
}

/** The reverse network's manifest fields: the shapes swapped. */
function reverseFields(m: Record<string, unknown>): Record<string, unknown> {
  return { ...m, input_shape: m['output_shape'], output_shape: m['input_shape'] };
}

interface Parts {
  readonly g: tf.LayersModel;
  readonly f: tf.LayersModel;
  readonly dA: tf.LayersModel;
  readonly dB: tf.LayersModel;
  readonly optG: Adam;
  readonly optD: Adam;
}

function cycleStep(p: Parts, batch: Batch): Scalars {
  const a = batch.images;
  const b = targetsOf(batch);
  const fwd = (m: tf.LayersModel, x: tf.Tensor): tf.Tensor => m.apply(x, { training: true }) as tf.Tensor;
  const l1 = (x: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.mean(tf.abs(tf.sub(x, y)));
  const out: Scalars = {};
  const gStep = tf.variableGrads(() => tf.tidy(() => {
    const fakeB = fwd(p.g, a);
    const fakeA = fwd(p.f, b);
    const dStep = tf.variableGrads(() => tf.tidy(() => {
      const lb = tf.add(lsgan(fwd(p.dB, b), true), lsgan(fwd(p.dB, fakeB), false));
      const la = tf.add(lsgan(fwd(p.dA, a), true), lsgan(fwd(p.dA, fakeA), false));
      return tf.mul(tf.add(la, lb), 0.5) as tf.Scalar;
    }), p.optD.variables);
    p.optD.apply(dStep.grads);
    out['d_loss'] = dStep.value.dataSync()[0]!;
    dStep.value.dispose();
    const adv = tf.add(lsgan(fwd(p.dB, fakeB), true), lsgan(fwd(p.dA, fakeA), true));
    const cyc = tf.add(l1(fwd(p.f, fakeB), a), l1(fwd(p.g, fakeA), b));
    const idt = tf.add(l1(fwd(p.g, b), b), l1(fwd(p.f, a), a));
    out['g_adv'] = adv.dataSync()[0]!;
    out['g_cycle'] = cyc.dataSync()[0]!;
    out['g_identity'] = idt.dataSync()[0]!;
    return tf.add(adv, tf.add(tf.mul(cyc, CYCLE_LAMBDA), tf.mul(idt, IDENTITY_LAMBDA * CYCLE_LAMBDA))) as tf.Scalar;
  }), p.optG.variables);
  p.optG.apply(gStep.grads);
  out['g_loss'] = gStep.value.dataSync()[0]!;
  gStep.value.dispose();
  return out;
}
