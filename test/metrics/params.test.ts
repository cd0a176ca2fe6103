import { describe, expect, it } from 'vitest';
import { groupMetrics, METRICS, resolveParams } from '../../metrics/index.js';
import type { MetricDescriptor, MetricParams, MetricResults } from '../../metrics/types.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { Rng } from '../../src/rng.js';

// Every declared parameter of every registered metric changes its result: on a small input of the metric's kind,
// the declared `example` value (with the values it `requires`) gives other results than the default.

/** Integer-valued features on a small grid, so k-NN distances tie and the ball tests' < and <= differ. */
function grid(rng: Rng, rows: number, cols: number, shift: number): Matrix {
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => Math.floor(rng.float() * 5) + shift) };
}

function images(rng: Rng, n: number): { n: number; height: number; width: number; channels: number; data: Float64Array } {
  return { n, height: 12, width: 12, channels: 1, data: Float64Array.from({ length: n * 144 }, () => Math.floor(rng.float() * 256)) };
}

/** A small input of each kind, and the parameters a caller always gives for it (the pixel metrics' data range). */
function inputOf(d: MetricDescriptor): { input: unknown; given: MetricParams; sizes: { generated: number; reference: number } } {
  const rng = new Rng(11);
  if (d.input === 'features') return { input: { generated: grid(rng, 40, 3, 0), reference: grid(rng, 50, 3, 1) }, given: {}, sizes: { generated: 40, reference: 50 } };
  if (d.input === 'class-scores') {
    const g: Matrix = { rows: 40, cols: 4, data: Float64Array.from({ length: 160 }, () => 3 * rng.normal()) };
    return { input: { generated: g, kind: 'logits' }, given: {}, sizes: { generated: 40, reference: 0 } };
  }
  if (d.input === 'image-pairs') return { input: { generated: images(rng, 3), reference: images(rng, 3) }, given: { range: 255 }, sizes: { generated: 3, reference: 3 } };
  if (d.input === 'feature-pairs') {
    const m = (): Matrix => ({ rows: 6, cols: 4, data: Float64Array.from({ length: 24 }, () => rng.normal()) });
    return { input: { generated: m(), reference: m(), layers: [{ name: 'a', dim: 4 }] }, given: {}, sizes: { generated: 6, reference: 6 } };
  }
  const layer = (): Matrix => ({ rows: 30, cols: 3, data: Float64Array.from({ length: 90 }, () => rng.normal()) });
  return { input: { generated: { a: layer() }, reference: { a: layer() } }, given: {}, sizes: { generated: 30, reference: 30 } };
}

async function run(group: readonly MetricDescriptor[], given: MetricParams): Promise<MetricResults> {
  const d = group[0]!;
  const { input, sizes } = inputOf(d);
  const merged = resolveParams(group, given);
  const params = d.fit === undefined ? merged : d.fit(merged, sizes, () => {});
  return (d.compute as (i: unknown, p: MetricParams) => Promise<MetricResults>)(input, params);
}

const values = (r: MetricResults) => JSON.stringify(Object.fromEntries(Object.entries(r).map(([id, v]) => [id, [v!.value, v!.std ?? null]])));

describe('metric parameters', () => {
  const cases = groupMetrics([...METRICS.values()]).flatMap((group) => Object.entries(group[0]!.params).map(([name, spec]) => ({ group, name, spec })));

  it('declares at least the parameters of FD, KID, IS, the k-NN metrics and the pixel metrics', () => {
    expect(cases.map((c) => `${c.group[0]!.group}.${c.name}`)).toEqual(
      expect.arrayContaining(['fd.infinity', 'fd.infinitySeed', 'kid.subsets', 'kid.subsetSize', 'kid.seed', 'kid.products', 'is.splits', 'is.shuffle', 'is.shuffleSeed', 'prdc.kPr', 'prdc.kDc', 'prdc.comparePr', 'prdc.compareDc', 'pixel.range']),
    );
  });

  it.each(cases.map((c) => [`${c.group[0]!.group}.${c.name}`, c] as const))('%s changes the result', async (_, { group, name, spec }) => {
    const { given } = inputOf(group[0]!);
    const base = { ...given, ...spec.requires };
    expect(spec.example).not.toEqual(base[name] ?? spec.default);
    // the group's first metric alone, so no other member switches the parameter on (fd_inf sets FD's infinity)
    const before = await run([group[0]!], base);
    const after = await run([group[0]!], { ...base, [name]: spec.example });
    expect(values(after)).not.toEqual(values(before));
  });
});
