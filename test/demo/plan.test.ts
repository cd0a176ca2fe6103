import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBaselines } from '../../src/demo/baselines.js';
import { CDCGAN_MIN_MINUTES, DEMO_BATCH, DEMO_DEFAULTS, DEMO_TRAIN, planDemo, type BaselineEntry } from '../../src/demo/plan.js';
import { getDataset } from '../../src/data/index.js';
import { sliceSplit } from '../../src/data/split-spec.js';
import { defaultSplit } from '../../src/harness/reference.js';
import { GenbenchError } from '../../src/errors.js';
import { optionalSharedAssets } from '../helpers/assets.js';

const shared = optionalSharedAssets();
const baseline = (name: string, dataset = 'mnist'): BaselineEntry => ({ kind: 'baseline', name, generator: `/x/${name}.onnx`, dataset, manifest: { name } });
const BASELINES = [baseline('mnist-dcgan'), baseline('pneumonia-dcgan', 'pneumoniamnist')];

describe('planDemo', () => {
  it('trains DCGAN and the VAE, adds the cDCGAN from CDCGAN_MIN_MINUTES, and shares the budget equally', () => {
    const small = planDemo({ ...DEMO_DEFAULTS, minutes: 1 }, BASELINES);
    expect(small.entries.map((e) => e.name)).toEqual(['dcgan-mnist', 'vae-mnist', 'mnist-dcgan', 'pneumonia-dcgan']);
    expect(small.entries.filter((e) => e.kind === 'reference').map((e) => (e.kind === 'reference' ? e.minutes : 0))).toEqual([0.5, 0.5]);
    const big = planDemo({ ...DEMO_DEFAULTS, minutes: CDCGAN_MIN_MINUTES * 2 }, BASELINES);
    const trained = big.entries.filter((e) => e.kind === 'reference');
    expect(trained.map((e) => e.name)).toEqual(['dcgan-mnist', 'vae-mnist', 'cdcgan-mnist']);
    for (const e of trained) expect(e.kind === 'reference' && e.minutes).toBeCloseTo(CDCGAN_MIN_MINUTES * 2 / 3, 10);
    expect(trained.every((e) => e.kind === 'reference' && e.split === 'test~0[:8000]')).toBe(true);
  });

  it('trains the GANs at a smaller batch than the VAE (more steps in their share of the time)', () => {
    const trained = planDemo(DEMO_DEFAULTS, []).entries.flatMap((e) => (e.kind === 'reference' ? [[e.model, e.batch]] : []));
    expect(trained).toEqual([['dcgan', 16], ['vae', 64], ['cdcgan', 16]]);
    expect(Object.isFrozen(DEMO_BATCH)).toBe(true);
  });

  it('trains on a seeded random partition whose complement is the default held-out split of the manifest', () => {
    // what genbench train records as train_split: the canonical text of the selection
    const rows = { images: { data: new Uint8Array(10000), n: 10000, height: 1, width: 1, channels: 1 }, split: 'test', source: { files: [], preprocessing: {} } };
    const recorded = sliceSplit(rows, DEMO_TRAIN.split).split;
    expect(recorded).toBe('test~0[0:8000]');
    expect(defaultSplit(getDataset('mnist'), { dataset: 'mnist', train_split: recorded })).toBe(DEMO_TRAIN.heldout);
  });

  it('keeps only the --models entries, and none are trained with 0 minutes', () => {
    const plan = planDemo({ ...DEMO_DEFAULTS, minutes: 0.4, models: ['vae', 'pneumonia-dcgan'] }, BASELINES);
    expect(plan.entries.map((e) => [e.name, e.kind])).toEqual([['vae-mnist', 'reference'], ['pneumonia-dcgan', 'baseline']]);
    expect(plan.entries[0]!.kind === 'reference' && plan.entries[0]!.minutes).toBe(0.4);
    expect(planDemo({ ...DEMO_DEFAULTS, minutes: 0 }, BASELINES).entries.map((e) => e.name)).toEqual(['mnist-dcgan', 'pneumonia-dcgan']);
  });

  it('rejects unknown --models names with the valid ones', () => {
    const bad = () => planDemo({ ...DEMO_DEFAULTS, models: ['dcgan', 'stylegan'] }, BASELINES);
    expect(bad).toThrow(GenbenchError);
    expect(bad).toThrow(/--models: unknown 'stylegan' \(valid: dcgan, vae, cdcgan, mnist-dcgan, pneumonia-dcgan\)/);
    expect(() => planDemo({ ...DEMO_DEFAULTS, models: ['mnist-vae'] }, [])).toThrow(/GENBENCH_ASSETS/);
  });
});

describe('findBaselines', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('lists ONNX generators with a manifest and skips other roles, missing checkpoints and broken manifests', async () => {
    const root = await mkdtemp(join(tmpdir(), 'genbench-baselines-'));
    dirs.push(root);
    const sub = join(root, 'fixtures', 'submissions');
    await mkdir(sub, { recursive: true });
    const put = (stem: string, manifest: unknown, onnx = true) =>
      Promise.all([writeFile(join(sub, `${stem}.genbench.json`), typeof manifest === 'string' ? manifest : JSON.stringify(manifest)), onnx ? writeFile(join(sub, `${stem}.onnx`), 'x') : undefined]);
    await put('a-gan', { name: 'a-gan', format: 'onnx', dataset: 'mnist' });
    await put('a-disc', { name: 'a-disc', format: 'onnx', dataset: 'mnist', role: 'discriminator-features' });
    await put('no-file', { name: 'no-file', format: 'onnx', dataset: 'mnist' }, false);
    await put('broken', '{ not json');
    const found = await findBaselines([root, join(root, 'missing')]);
    expect(found.map((b) => [b.name, b.dataset, b.generator])).toEqual([['a-gan', 'mnist', join(sub, 'a-gan.onnx')]]);
  });

  it.skipIf(!shared)('finds the shared PyTorch generators (not the discriminator)', async () => {
    const names = (await findBaselines([shared!])).map((b) => `${b.name}@${b.dataset}`);
    expect(names).toEqual(['mnist-cdcgan@mnist', 'mnist-dcgan@mnist', 'mnist-vae@mnist', 'pneumonia-dcgan@pneumoniamnist']);
  });
});
