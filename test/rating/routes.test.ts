import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { openDatabase } from '../../src/store/open.js';
import { serviceBinaries, startPostgres, type Service } from '../helpers/services.js';
import { ratingStore } from './fixtures.js';
import { rateRouteCases } from './route-cases.js';

/** The rating routes on SQLite and on a real PostgreSQL (own server in a temp folder, a fresh database per test). */
rateRouteCases('sqlite', ratingStore);

const pgAvailable = serviceBinaries('postgres');
let server: Service | undefined;
let admin: pg.Client | undefined;
let count = 0;

describe.skipIf(!pgAvailable)('postgres', () => {
  beforeAll(async () => {
    server = await startPostgres();
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
  }, 60_000);
  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  });
  rateRouteCases('postgres', async () => {
    const name = `rating_${count++}`;
    await admin!.query(`CREATE DATABASE ${name}`);
    const dir = await mkdtemp(join(tmpdir(), 'genbench-rating-pg-'));
    const store = await openDatabase({ databaseUrl: server!.url.replace(/\/postgres$/, `/${name}`), dataDir: join(dir, 'files') });
    return { store, cleanup: async () => { await store.close(); await rm(dir, { recursive: true, force: true }); } };
  });
});
