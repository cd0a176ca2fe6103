import { randomUUID } from 'node:crypto';
import type { Sql } from './sql.js';

/**
 * Models on the leaderboard: a submitted checkpoint ('submission'), a reference model trained by genbench
 * ('reference') or a built-in baseline ('baseline'). The manifest is kept as JSON; `licence` and `dataset` are
 * copied out of it for listing.
 *
 * @example
 * const m = await createModel(sql, { name: 'mnist-dcgan', kind: 'submission', format: 'onnx', manifest });
 * (await getModel(sql, m.id))?.licence; // 'CC0-1.0'
 */
export type ModelKind = 'submission' | 'reference' | 'baseline';

export interface ModelRecord {
  readonly id: string;
  readonly name: string;
  readonly kind: ModelKind;
  readonly format: string;
  readonly licence: string | null;
  readonly dataset: string | null;
  readonly manifest: Record<string, unknown>;
  /** sha256 of the training-curve JSON (loss-curve.json) in the blob store, for reference models. */
  readonly curveSha256: string | null;
  readonly createdAt: string;
}

export interface NewModel {
  readonly id?: string;
  readonly name: string;
  readonly kind: ModelKind;
  readonly format: string;
  readonly manifest: Record<string, unknown>;
  readonly curveSha256?: string;
}

interface ModelRow {
  id: string;
  name: string;
  kind: string;
  format: string;
  licence: string | null;
  dataset: string | null;
  manifest: string;
  curve_sha256: string | null;
  created_at: string;
}

const COLUMNS = 'id, name, kind, format, licence, dataset, manifest, curve_sha256, created_at';

export async function createModel(sql: Sql, m: NewModel): Promise<ModelRecord> {
  const licence = stringField(m.manifest, 'license') ?? stringField(m.manifest, 'licence') ?? null;
  const dataset = stringField(m.manifest, 'dataset') ?? null;
  const record: ModelRecord = {
    id: m.id ?? randomUUID(),
    name: m.name,
    kind: m.kind,
    format: m.format,
    licence,
    dataset,
    manifest: m.manifest,
    curveSha256: m.curveSha256 ?? null,
    createdAt: new Date().toISOString(),
  };
  await sql.run(`INSERT INTO models (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    record.id,
    record.name,
    record.kind,
    record.format,
    record.licence,
    record.dataset,
    JSON.stringify(record.manifest),
    record.curveSha256,
    record.createdAt,
  ]);
  return record;
}

export async function getModel(sql: Sql, id: string): Promise<ModelRecord | undefined> {
  const row = await sql.get<ModelRow>(`SELECT ${COLUMNS} FROM models WHERE id = ?`, [id]);
  return row === undefined ? undefined : fromRow(row);
}

/** Models by name (names are not unique: the same name may be submitted twice). */
export async function findModelsByName(sql: Sql, name: string): Promise<ModelRecord[]> {
  return (await sql.all<ModelRow>(`SELECT ${COLUMNS} FROM models WHERE name = ? ORDER BY created_at, id`, [name])).map(fromRow);
}

export async function listModels(sql: Sql, ids?: readonly string[]): Promise<ModelRecord[]> {
  if (ids !== undefined && ids.length === 0) return [];
  const where = ids === undefined ? '' : ` WHERE id IN (${ids.map(() => '?').join(', ')})`;
  return (await sql.all<ModelRow>(`SELECT ${COLUMNS} FROM models${where} ORDER BY created_at, id`, ids ?? [])).map(fromRow);
}

function fromRow(r: ModelRow): ModelRecord {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as ModelKind,
    format: r.format,
    licence: r.licence,
    dataset: r.dataset,
    manifest: storedManifest(r.manifest),
    curveSha256: r.curve_sha256,
    createdAt: r.created_at,
  };
}

/** A model row's `manifest` column (JSON that genbench stored) as the object it was. */
export function storedManifest(column: string): Record<string, unknown> {
  return JSON.parse(column) as Record<string, unknown>;
}

function stringField(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
