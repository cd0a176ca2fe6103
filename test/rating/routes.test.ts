import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { openDatabase } from '../../src/store/open.js';
import { createDatabase, serviceBinaries, startPostgres, type Service } from '../helpers/services.js';
import { ratingStore } from './fixtures.js';
import { rateRouteCases } from './route-cases.js';

/** The rating routes on SQLite and on a real PostgreSQL (own server in a temp folder, a fresh database per test). */
rateRouteCases('sqlite', ratingStore);

const pgAvailable = serviceBinaries('postgres');
let server: Service | undefined;
let count = 0;

describe.skipIf(!pgAvailable)('postgres', () => {
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  rateRouteCases('postgres', async () => {
    const databaseUrl = await createDatabase(server!, `rating_${count++}`);
    const dir = await mkdtemp(join(tmpdir(), 'genbench-rating-pg-'));
    const store = await openDatabase({ databaseUrl, dataDir: join(dir, 'files') });
    return { store, cleanup: async () => { await store.close(); await rm(dir, { recursive: true, force: true }); } };
  });
});
