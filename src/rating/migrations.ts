import type { Migration } from '../store/migrations.js';

/**
 * Tables of human rating (ids '0100-rating-...'), merged into the store's migrations by src/store/index.ts.
 * Portable SQL: ids made in JS, epoch-millisecond times as BIGINT (PostgreSQL returns them as text: read with
 * Number()), booleans as 0/1.
 *
 * - rating_raters: anonymous rater sessions; only the sha256 of the cookie token is stored. `status` is
 *   'qualifying', 'qualified' or 'failed' (qualification round); `flagged` = 1 after a failed vigilance trial.
 * - rating_trials: every trial issued, with its one-time id, truth (`kind`), image key, target exposure and, once
 *   answered, the answer and the browser's timing. `status`: open, voted, rejected (too fast), expired (too late),
 *   abandoned (a newer trial was issued). The unique (rater, image) index enforces "no repeated image per rater".
 * - rating_staircases: the HYPE-time staircase of each rater on each model.
 * - rating_fake_pools: the model samples used as fake images (blob sha256 of a uint8 .npy), per model and seed.
 * - rating_raters.client_hash / created_ms (0104): sha256 of the client address that opened the session and when
 *   (epoch ms), so the new-sessions-per-address limit lives in the database and survives a restart.
 *
 * @example
 * await runMigrations(sql, [...CORE_MIGRATIONS, ...ratingMigrations]); // [..., '0100-rating-raters', ...]
 */
export const ratingMigrations: readonly Migration[] = Object.freeze([
  {
    id: '0100-rating-raters',
    up: `CREATE TABLE rating_raters (
      id TEXT PRIMARY KEY,
      token_hash TEXT NOT NULL UNIQUE,
      status TEXT NOT NULL,
      flagged INTEGER NOT NULL DEFAULT 0,
      flag_reason TEXT,
      created_at TEXT NOT NULL
    )`,
  },
  {
    id: '0101-rating-trials',
    up: `CREATE TABLE rating_trials (
      id TEXT PRIMARY KEY,
      rater_id TEXT NOT NULL REFERENCES rating_raters (id),
      model_id TEXT NOT NULL REFERENCES models (id),
      protocol TEXT NOT NULL,
      phase TEXT NOT NULL,
      kind TEXT NOT NULL,
      image_key TEXT NOT NULL,
      exposure_ms INTEGER,
      issued_at BIGINT NOT NULL,
      status TEXT NOT NULL,
      answer TEXT,
      correct INTEGER,
      voted_at BIGINT,
      response_ms REAL,
      measured_ms REAL,
      frame_ms REAL,
      missed_frames INTEGER,
      hidden INTEGER,
      dropped TEXT
    );
    CREATE UNIQUE INDEX rating_trials_rater_image ON rating_trials (rater_id, image_key);
    CREATE INDEX rating_trials_rater_status ON rating_trials (rater_id, status);
    CREATE INDEX rating_trials_rater_voted ON rating_trials (rater_id, voted_at);
    CREATE INDEX rating_trials_model ON rating_trials (model_id, protocol, phase, status)`,
  },
  {
    id: '0102-rating-staircases',
    up: `CREATE TABLE rating_staircases (
      rater_id TEXT NOT NULL REFERENCES rating_raters (id),
      model_id TEXT NOT NULL REFERENCES models (id),
      exposure_ms INTEGER NOT NULL,
      streak INTEGER NOT NULL,
      PRIMARY KEY (rater_id, model_id)
    )`,
  },
  {
    id: '0103-rating-fake-pools',
    up: `CREATE TABLE rating_fake_pools (
      model_id TEXT NOT NULL REFERENCES models (id),
      seed INTEGER NOT NULL,
      n INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (model_id, seed, n)
    )`,
  },
  {
    id: '0104-rating-session-origin',
    up: `ALTER TABLE rating_raters ADD COLUMN client_hash TEXT;
    ALTER TABLE rating_raters ADD COLUMN created_ms BIGINT;
    CREATE INDEX rating_raters_client ON rating_raters (client_hash, created_ms)`,
  },
]);
