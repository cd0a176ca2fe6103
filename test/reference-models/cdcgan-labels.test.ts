import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { getDataset } from '../../src/data/index.js';
import { createExtractor } from '../../src/features/index.js';
import { toUint8 } from '../../src/io/image.js';
import { loadGenerator } from '../../src/models/load.js';
import { getReferenceModel, train } from '../../reference-models/index.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { classifierTestHome } from '../features/classifier-home.js';

/**
 * Issue 5: the conditional model honours labels. A cDCGAN is trained on the MNIST digits 0 .. DIGITS-1 of
 * test[:8000] (class k is digit k), then sampled with requested labels; the standard MNIST classifier
 * (`classifier:mnist`, >= 98% held out) must agree with the requested label on at least AGREE of the samples, and
 * the same latents with the labels rotated must move the classifier's answers with them (so the agreement comes
 * from the labels, not from the latents).
 *
 * The labels take a while to show (2 digits, batch 32, measured on the shared machine): 200 steps gave 44.7% / 45%
 * (chance), 600 steps 70.3% / 63.3%, 1200 steps 89.3% / 92.0%. So the run is 1200 steps: 520 s on the shared machine
 * at load ~2-3, about 9 minutes of one vitest fork in CI; the slowest test of the suite. GENBENCH_CDCGAN_STEPS overrides it;
 * GENBENCH_SKIP_SLOW=1 skips it outside CI (never in CI).
 */
const shared = optionalSharedAssets();
const skip = process.env['GENBENCH_SKIP_SLOW'] === '1' && process.env['CI'] !== 'true';
const DIGITS = 2;
const STEPS = Number(process.env['GENBENCH_CDCGAN_STEPS'] ?? 1200);
const BATCH = 32;
const SAMPLES = 300;
const AGREE = 0.8;

describe.skipIf(!shared || skip)('cdcgan honours its labels after a short training run', () => {
  let out: string;
  let agreement: { requested: number; rotated: number };
  beforeAll(async () => {
    process.env['GENBENCH_HOME'] = classifierTestHome();
    out = await mkdtemp(join(tmpdir(), 'genbench-cdcgan-labels-'));
    const backend = await initBackend('wasm');
    const all = await getDataset('mnist').load('test[:8000]');
    const keep = [...all.labels!.keys()].filter((i) => all.labels![i]! < DIGITS);
    const size = 28 * 28;
    const data = new Uint8Array(keep.length * size);
    keep.forEach((i, k) => data.set(all.images.data.subarray(i * size, (i + 1) * size), k * size));
    const r = await train({
      model: getReferenceModel('cdcgan'),
      train: { images: { ...all.images, data, n: keep.length }, labels: Int32Array.from(keep, (i) => all.labels![i]!) },
      classes: DIGITS,
      settings: { model: 'cdcgan', dataset: 'mnist', split: `test[0:8000] digits 0-${DIGITS - 1}`, batch: BATCH, seed: 0, backend: backend.name },
      out,
      epochs: 1000,
      maxSteps: STEPS,
    });
    expect(r.status).toBe('step-limit');
    agreement = await measureAgreement(r.checkpoint!);
  }, 3_600_000);
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it(`the MNIST classifier agrees with the requested label on >= ${AGREE * 100}% of ${SAMPLES} samples`, () => {
    console.log(`cdcgan label agreement after ${STEPS} steps: requested ${agreement.requested.toFixed(3)}, rotated labels ${agreement.rotated.toFixed(3)}`);
    expect(agreement.requested).toBeGreaterThanOrEqual(AGREE);
  });

  it('the same latents with rotated labels follow the new labels', () => {
    expect(agreement.rotated).toBeGreaterThanOrEqual(AGREE);
  });
});

/** Fraction of samples the classifier assigns to the requested digit, for labels i % DIGITS and (i + 1) % DIGITS. */
async function measureAgreement(checkpoint: string): Promise<{ requested: number; rotated: number }> {
  const g = await loadGenerator(checkpoint);
  const fx = await createExtractor('classifier:mnist');
  try {
    const rate = async (shift: number): Promise<number> => {
      const labels = Int32Array.from({ length: SAMPLES }, (_, i) => (i + shift) % DIGITS);
      const images = toUint8(await g.sample({ n: SAMPLES, seed: 7, labels }));
      const p = (await fx.extract(images, { layers: ['softmax'] }))['softmax']!;
      let hits = 0;
      for (let i = 0; i < SAMPLES; i++) {
        const row = p.data.subarray(i * 10, i * 10 + 10);
        if (row.indexOf(Math.max(...row)) === labels[i]) hits++;
      }
      return hits / SAMPLES;
    };
    return { requested: await rate(0), rotated: await rate(1) };
  } finally {
    await fx.dispose();
    g.dispose();
  }
}
