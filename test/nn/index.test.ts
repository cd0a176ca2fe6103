import { afterEach, describe, expect, it } from 'vitest';
import { createNearestNeighbors, EXACT_MAX_DEFAULT, exactMaxThreshold } from '../../src/nn/index.js';
import { clustered } from './brute.js';

describe('createNearestNeighbors', () => {
  afterEach(() => {
    delete process.env['GENBENCH_NN_EXACT_MAX'];
  });

  it("'auto' picks exact up to the threshold and HNSW above; option beats env beats default", async () => {
    const train = clustered(50, 4, 1);
    const a = await createNearestNeighbors(train, { method: 'auto' });
    expect(a.kind).toBe('exact');
    expect(a.recipe['selection']).toEqual({ method: 'auto', exactMax: EXACT_MAX_DEFAULT, trainRows: 50 });
    await a.dispose();
    const b = await createNearestNeighbors(train, { exactMax: 49, cache: false });
    expect(b.kind).toBe('hnsw');
    expect((await b.search(clustered(2, 4, 2), 3)).indices[0]).toHaveLength(3);
    await b.dispose();
    process.env['GENBENCH_NN_EXACT_MAX'] = '10';
    expect(exactMaxThreshold()).toBe(10);
    expect(exactMaxThreshold(100)).toBe(100);
    const c = await createNearestNeighbors(train, { cache: false });
    expect(c.kind).toBe('hnsw');
    await c.dispose();
    process.env['GENBENCH_NN_EXACT_MAX'] = 'lots';
    expect(() => exactMaxThreshold()).toThrow(/GENBENCH_NN_EXACT_MAX must be a non-negative integer/);
  });

  it('explicit methods and bad names', async () => {
    const train = clustered(50, 4, 1);
    const e = await createNearestNeighbors(train, { method: 'exact', metric: 'cosine' });
    expect(e.recipe).toMatchObject({ method: 'exact', metric: 'cosine' });
    expect(e.recipe['selection']).toBeUndefined();
    await expect(createNearestNeighbors(train, { method: 'kd-tree' as 'exact' })).rejects.toThrow(/use exact, hnsw or auto/);
    await expect(createNearestNeighbors(train, { metric: 'manhattan' as 'l2' })).rejects.toThrow(/use one of l2, cosine/);
  });
});
