import { addProtocolKeys } from './evaluations.js';
import type { Migration } from './migrations.js';
import { BLOB_MIGRATION } from './pg-blobs.js';

/**
 * The core tables of the results store (ids '0001' to '0099'). Portable SQL: TEXT / INTEGER / REAL columns, ids made
 * in JS, timestamps as ISO-8601 text, JSON documents as TEXT.
 *
 * - tokens: submission tokens; only the sha256 of a token is stored.
 * - models: one row per submitted or reference model (manifest JSON, licence, kind).
 * - files: content-addressed blobs (name = sha256) kept in the data folder; submission_files maps upload names.
 * - submissions: an upload and its evaluation state (queued, running, done, failed).
 * - evaluations: one report per model and recipe; `verified` = 1 when this server computed it.
 * - submissions.attempts (0006): evaluation attempts started, counted before each starts, so a model that hangs or
 *   kills its evaluation is given up on after the server's cap, across restarts too.
 * - evaluations.protocol_key (0007): the evaluation protocol of each report, filled in from the stored reports.
 * - blobs, blob_chunks (0008, PostgreSQL only): the blobs' bytes in the database (pg-blobs.ts), so no process of a
 *   cluster needs a shared folder; SQLite keeps them in the folder beside the database file.
 * - submissions_token (0009): a token's submissions by time, for its quotas (usage.ts).
 * - submissions.recipe (0010): the recipe a submission's evaluation was queued with.
 * - blob_claims (0011): the blobs an upload in flight relies on, one row per blob and upload (blob-claims.ts), so a
 *   failed upload never removes a blob that a concurrent upload of the same bytes is about to record.
 *
 * @example
 * await runMigrations(sql, CORE_MIGRATIONS); // ['0001-core-tokens', '0002-core-models', ...]
 */
export const CORE_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    id: '0001-core-tokens',
    up: `CREATE TABLE tokens (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      hash TEXT NOT NULL UNIQUE,
      admin INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      revoked_at TEXT
    )`,
  },
  {
    id: '0002-core-models',
    up: `CREATE TABLE models (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      kind TEXT NOT NULL,
      format TEXT NOT NULL,
      licence TEXT,
      dataset TEXT,
      manifest TEXT NOT NULL,
      curve_sha256 TEXT,
      created_at TEXT NOT NULL
    );
    CREATE INDEX models_name ON models (name)`,
  },
  {
    id: '0003-core-files',
    up: `CREATE TABLE files (
      sha256 TEXT PRIMARY KEY,
      size BIGINT NOT NULL,
      created_at TEXT NOT NULL
    )`,
  },
  {
    id: '0004-core-submissions',
    up: `CREATE TABLE submissions (
      id TEXT PRIMARY KEY,
      model_id TEXT NOT NULL REFERENCES models (id),
      token_id TEXT REFERENCES tokens (id),
      main_file TEXT NOT NULL,
      dataset TEXT NOT NULL,
      status TEXT NOT NULL,
      job_id TEXT,
      error TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX submissions_status ON submissions (status);
    CREATE TABLE submission_files (
      submission_id TEXT NOT NULL REFERENCES submissions (id),
      name TEXT NOT NULL,
      sha256 TEXT NOT NULL REFERENCES files (sha256),
      PRIMARY KEY (submission_id, name)
    )`,
  },
  {
    id: '0005-core-evaluations',
    up: `CREATE TABLE evaluations (
      id TEXT PRIMARY KEY,
      model_id TEXT NOT NULL REFERENCES models (id),
      submission_id TEXT REFERENCES submissions (id),
      dataset TEXT NOT NULL,
      extractor TEXT NOT NULL,
      recipe_key TEXT NOT NULL,
      verified INTEGER NOT NULL,
      n_generated INTEGER NOT NULL,
      report TEXT NOT NULL,
      grid_sha256 TEXT,
      nn_sha256 TEXT,
      created_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX evaluations_model_recipe ON evaluations (model_id, recipe_key);
    CREATE INDEX evaluations_board ON evaluations (dataset, extractor)`,
  },
  {
    id: '0006-core-submission-attempts',
    up: 'ALTER TABLE submissions ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0',
  },
  {
    // the evaluation protocol of each report (evaluations.ts protocolKey): a leaderboard board holds one
    id: '0007-core-evaluation-protocol',
    up: addProtocolKeys,
  },
  BLOB_MIGRATION,
  {
    id: '0009-core-submissions-by-token',
    up: 'CREATE INDEX submissions_token ON submissions (token_id, created_at)',
  },
  {
    // the recipe a submission's evaluation was queued with, so a restart re-queues it unchanged
    id: '0010-core-submission-recipe',
    up: 'ALTER TABLE submissions ADD COLUMN recipe TEXT',
  },
  {
    id: '0011-core-blob-claims',
    up: `CREATE TABLE blob_claims (
      sha256 TEXT NOT NULL,
      claim TEXT NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (sha256, claim)
    )`,
  },
]);
