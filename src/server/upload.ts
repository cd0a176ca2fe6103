import { readFile } from 'node:fs/promises';
import { METRICS } from '../../metrics/index.js';
import { DATASETS } from '../data/index.js';
import { MEMORIZATION_CHECKS } from '../memorization/verdict.js';
import { GenbenchError } from '../errors.js';
import { parseJsonText } from '../io/json-file.js';
import { parseReport, type Report } from '../io/report.js';
import { parseManifest, validate, type GeneratorManifest } from '../models/manifest.js';
import { TranslatorManifestSchema, type TranslatorManifest } from '../models/translator-manifest.js';
import { sha256AndSize } from '../store/blobs.js';
import { checkLicence } from './licences.js';
import { TRANSLATION_PROTOCOLS } from './protocols.js';
import { MAX_MODEL_NAME, type UploadLimits } from './upload-limits.js';

/**
 * Checks an uploaded submission before anything is stored: file names, file kinds, the manifest (the zod schema of
 * src/models/manifest.ts; a licence must be an SPDX id, licences.ts), the set of files the format needs, and every sha256 the manifest lists. Accepted:
 * - ONNX: one `X.onnx` + its manifest (`X.genbench.json` or `genbench.json`);
 * - TF.js: `model.json` + the `.bin` shards it names + `genbench.json`;
 * - optionally `report.json`, a genbench report of this model (shown as self-reported, never ranked): only with the
 *   submission's dataset, an extractor of `extractors`, known metrics, and `model.files` matching the upload;
 * - a translator: one `X.onnx` (format 'onnx'), or `model.json` + the `.bin` shards it names (format 'tfjs-layers',
 *   whose `files` must give each shard's sha256), + a manifest with `kind: translator`
 *   (src/models/translator-manifest.ts) naming a built-in translation task (`task`, or the form's `dataset` field),
 *   which becomes the submission's dataset. Its `sha256` must match the main file; entries of `files` naming files
 *   that are not part of the uploaded checkpoint (the TF.js weights a `genbench train` run folder converted its ONNX
 *   from) are dropped from the stored manifest.
 * Names are reduced to their last path component and must be plain (letters, digits, '.', '_', '-'; no leading
 * dot); they are only compared and recorded, never used as paths (files are stored under their sha256).
 *
 * @example
 * const checked = await checkUpload([{ name: 'g.onnx', path: '/tmp/u/0' }, { name: 'g.genbench.json', path: '/tmp/u/1' }], { limits });
 * checked.mainFile; // 'g.onnx'
 */
export interface UploadedFile {
  /** Name given by the client (untrusted). */
  readonly name: string;
  /** Where the upload was written (a server-chosen name). */
  readonly path: string;
}

export interface CheckedUpload {
  readonly manifest: GeneratorManifest | TranslatorManifest;
  readonly mainFile: string;
  readonly dataset: string;
  /** Checkpoint files with their hashes (the manifest included, under its upload name). */
  readonly files: ReadonlyArray<{ name: string; path: string; sha256: string; size: number }>;
  readonly manifestName: string;
  readonly report?: Report;
}

const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** The last path component of a client file name, or an INPUT error when it is not a plain name. */
export function sanitiseName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  if (!SAFE_NAME.test(base) || base === '.' || base === '..') {
    throw new GenbenchError('INPUT', `file name '${name.slice(0, 80)}' is not allowed: use letters, digits, '.', '_' and '-' only`);
  }
  return base;
}

function kindOf(name: string): 'onnx' | 'model-json' | 'shard' | 'manifest' | 'report' {
  if (name === 'genbench.json' || name.endsWith('.genbench.json')) return 'manifest';
  if (name === 'model.json') return 'model-json';
  if (name === 'report.json') return 'report';
  if (name.endsWith('.onnx')) return 'onnx';
  if (name.endsWith('.bin')) return 'shard';
  throw new GenbenchError('INPUT', `${name}: file type not accepted; upload an .onnx file or model.json + .bin shards, with genbench.json`);
}

export interface CheckUploadOptions {
  readonly limits: UploadLimits;
  /** The dataset from the form (else the manifest's). */
  readonly dataset?: string;
  /** Extractor ids a self-reported report may name (the server's registry and its own). */
  readonly extractors?: readonly string[];
}

export async function checkUpload(uploaded: readonly UploadedFile[], opts: CheckUploadOptions): Promise<CheckedUpload> {
  if (uploaded.length === 0) throw new GenbenchError('INPUT', 'no files uploaded: send the checkpoint and its genbench.json in the "files" field');
  const named = uploaded.map((f) => ({ ...f, name: sanitiseName(f.name) }));
  const seen = new Set<string>();
  for (const f of named) {
    if (seen.has(f.name)) throw new GenbenchError('INPUT', `${f.name}: uploaded twice; send each file once`);
    seen.add(f.name);
  }
  const by = (k: ReturnType<typeof kindOf>) => named.filter((f) => kindOf(f.name) === k);
  const manifests = by('manifest');
  if (manifests.length !== 1) throw new GenbenchError('INPUT', `expected exactly one genbench.json manifest, got ${manifests.length}; add the checkpoint's genbench.json`);
  const manifestFile = manifests[0]!;
  const raw = await readJson(manifestFile, opts.limits);
  if ((raw as { kind?: unknown } | null)?.kind === 'translator') return checkTranslatorUpload(named.map((f) => ({ ...f, kind: kindOf(f.name) })), raw, manifestFile.name, opts);
  const manifest = parseManifest(raw, manifestFile.name);
  checkCommonFields(manifest, manifestFile.name);
  const onnx = by('onnx');
  const modelJson = by('model-json');
  const shards = by('shard');
  let main: (typeof named)[number];
  if (manifest.format === 'onnx') {
    if (onnx.length !== 1 || modelJson.length > 0 || shards.length > 0) throw new GenbenchError('INPUT', `${manifestFile.name}: format 'onnx' needs exactly one .onnx file and no model.json or .bin files`);
    main = onnx[0]!;
  } else {
    if (modelJson.length !== 1 || onnx.length > 0) throw new GenbenchError('INPUT', `${manifestFile.name}: format '${manifest.format}' needs model.json and its .bin shards, and no .onnx file`);
    main = modelJson[0]!;
    checkShards(await readJson(main, opts.limits), shards.map((s) => s.name));
  }
  if (manifest.file !== main.name) throw new GenbenchError('INPUT', `${manifestFile.name}: field 'file' is '${manifest.file}' but the upload has '${main.name}'; make them match`);
  const checkpoint = [main, ...shards];
  const files = await Promise.all([...checkpoint, manifestFile].map(async (f) => ({ ...f, ...(await sha256AndSize(f.path)) })));
  checkHashes(manifest, manifestFile.name, files);
  const dataset = checkDataset(opts.dataset ?? manifest.dataset, manifestFile.name);
  const reportFile = by('report')[0];
  const report = reportFile === undefined ? undefined : parseReport(await readJson(reportFile, opts.limits), 'report.json');
  if (report !== undefined) checkReport(report, { dataset, files: files.slice(0, checkpoint.length), mainFile: main.name, extractors: opts.extractors ?? [] });
  return { manifest, mainFile: main.name, dataset, files, manifestName: manifestFile.name, ...(report ? { report } : {}) };
}

/** The name's length and the licence (an SPDX id, licences.ts) of any manifest. */
function checkCommonFields(manifest: { name: string }, source: string): void {
  if ([...manifest.name].length > MAX_MODEL_NAME) throw new GenbenchError('INPUT', `${source}: field 'name' has ${[...manifest.name].length} characters, more than the ${MAX_MODEL_NAME} allowed; shorten it`);
  for (const field of ['license', 'licence'] as const) {
    const licence = (manifest as Record<string, unknown>)[field];
    if (licence !== undefined) checkLicence(typeof licence === 'string' ? licence : JSON.stringify(licence), source, field);
  }
}

/** A translator upload: its one .onnx (or TF.js model.json + shards) and manifest, on a built-in translation task (see checkUpload). */
async function checkTranslatorUpload(named: ReadonlyArray<UploadedFile & { kind: ReturnType<typeof kindOf> }>, raw: unknown, source: string, opts: CheckUploadOptions): Promise<CheckedUpload> {
  const parsed = validate(TranslatorManifestSchema, raw, source);
  checkCommonFields(parsed, source);
  const checkpoint = parsed.format === 'onnx' ? onnxTranslatorFiles(named, source) : await tfjsTranslatorFiles(named, source, opts.limits);
  const main = checkpoint[0]!;
  if (parsed.file !== main.name) throw new GenbenchError('INPUT', `${source}: field 'file' is '${parsed.file}' but the upload has '${main.name}'; make them match`);
  const task = opts.dataset ?? parsed.task;
  const valid = [...TRANSLATION_PROTOCOLS.keys()].join(', ');
  if (task === undefined) throw new GenbenchError('INPUT', `${source}: no task: set field 'task' in the manifest or the form's dataset (one of ${valid})`);
  if (!TRANSLATION_PROTOCOLS.has(task)) throw new GenbenchError('INPUT', `${source}: task '${task.slice(0, 60)}' is not a translation task served here; use one of ${valid}`);
  if (parsed.task !== undefined && parsed.task !== task) throw new GenbenchError('INPUT', `${source}: field 'task' is '${parsed.task.slice(0, 60)}' but the form asks for '${task}'; submit a translator on its own task`);
  const manifestFile = named.find((f) => f.kind === 'manifest')!;
  const files = await Promise.all([...checkpoint, manifestFile].map(async (f) => ({ name: f.name, path: f.path, ...(await sha256AndSize(f.path)) })));
  if (parsed.sha256 === undefined) throw new GenbenchError('INPUT', `${source}: field 'sha256' is missing; add "sha256": "<sha256sum of ${main.name}>"`);
  const { files: listed, ...rest } = parsed;
  const kept = Object.fromEntries(Object.entries(listed ?? {}).filter(([name]) => checkpoint.some((f) => f.name === name)));
  const unlisted = checkpoint.slice(1).find((f) => kept[f.name] === undefined);
  if (unlisted !== undefined) throw new GenbenchError('INPUT', `${source}: field 'files' has no sha256 for '${unlisted.name}'; add "${unlisted.name}": "<sha256sum>"`);
  checkHashes({ ...rest, ...(Object.keys(kept).length === 0 ? {} : { files: kept }) }, source, files);
  const manifest: TranslatorManifest = { ...rest, ...(Object.keys(kept).length === 0 ? {} : { files: kept }), task };
  return { manifest, mainFile: main.name, dataset: task, files, manifestName: manifestFile.name };
}

type NamedUpload = UploadedFile & { kind: ReturnType<typeof kindOf> };

/** An ONNX translator's checkpoint: its one .onnx and nothing else. */
function onnxTranslatorFiles(named: readonly NamedUpload[], source: string): NamedUpload[] {
  const extra = named.find((f) => f.kind !== 'onnx' && f.kind !== 'manifest');
  if (extra !== undefined) throw new GenbenchError('INPUT', `${extra.name}: a translator is submitted as its .onnx file and its manifest only; remove ${extra.name} from the upload`);
  const onnx = named.filter((f) => f.kind === 'onnx');
  if (onnx.length !== 1) throw new GenbenchError('INPUT', `${source}: a translator needs exactly one .onnx file, got ${onnx.length}`);
  return onnx;
}

/** A TF.js layers translator's checkpoint: model.json first, then the shards it names (all uploaded, no others). */
async function tfjsTranslatorFiles(named: readonly NamedUpload[], source: string, limits: UploadLimits): Promise<NamedUpload[]> {
  const extra = named.find((f) => f.kind !== 'model-json' && f.kind !== 'shard' && f.kind !== 'manifest');
  if (extra !== undefined) throw new GenbenchError('INPUT', `${extra.name}: a TF.js translator is submitted as its model.json, the .bin shards it names and its manifest only; remove ${extra.name} from the upload`);
  const modelJson = named.filter((f) => f.kind === 'model-json');
  if (modelJson.length !== 1) throw new GenbenchError('INPUT', `${source}: format 'tfjs-layers' needs model.json and its .bin shards, got ${modelJson.length} model.json`);
  const shards = named.filter((f) => f.kind === 'shard');
  checkShards(await readJson(modelJson[0]!, limits), shards.map((s) => s.name));
  return [modelJson[0]!, ...shards];
}

function checkShards(modelJson: unknown, uploaded: readonly string[]): void {
  const groups = (modelJson as { weightsManifest?: Array<{ paths?: unknown }> }).weightsManifest;
  if (!Array.isArray(groups)) throw new GenbenchError('INPUT', "model.json: field 'weightsManifest' is missing; export the model with tfjs-converter or model.save()");
  const needed = groups.flatMap((g) => (Array.isArray(g.paths) ? g.paths.map(String) : []));
  for (const p of needed) {
    if (!SAFE_NAME.test(p)) throw new GenbenchError('INPUT', `model.json: shard path '${p.slice(0, 80)}' must be a plain file name beside model.json`);
    if (!uploaded.includes(p)) throw new GenbenchError('INPUT', `model.json names shard '${p}' but it was not uploaded; upload every .bin file`);
  }
  const extra = uploaded.filter((u) => !needed.includes(u));
  if (extra.length > 0) throw new GenbenchError('INPUT', `${extra[0]}: not a shard named by model.json; remove it from the upload`);
}

/** Every sha256 the manifest lists must match; an ONNX upload must list one (so the score pins the bytes). */
function checkHashes(m: Pick<GeneratorManifest, 'file' | 'sha256' | 'files'>, source: string, files: ReadonlyArray<{ name: string; sha256: string }>): void {
  const listed: Record<string, string> = { ...(m.files ?? {}) };
  if (m.sha256 !== undefined) listed[m.file] = m.sha256;
  if (Object.keys(listed).length === 0) throw new GenbenchError('INPUT', `${source}: field 'sha256' is missing; add "sha256": "<sha256sum of ${m.file}>"`);
  for (const f of files) {
    const want = listed[f.name];
    if (want !== undefined && want !== f.sha256) throw new GenbenchError('CHECKSUM', `${f.name}: sha256 is ${f.sha256} but ${source} says ${want}; re-export the manifest or upload the right file`);
  }
  for (const name of Object.keys(listed)) {
    if (!files.some((f) => f.name === name)) throw new GenbenchError('INPUT', `${source}: lists '${name}' in its hashes but it was not uploaded`);
  }
}

/** Metric keys a report may carry: the metric registry and the memorisation checks. */
const KNOWN_METRICS: ReadonlySet<string> = new Set<string>([...METRICS.keys(), ...MEMORIZATION_CHECKS]);

/**
 * A self-reported report may name only what this server knows, and must pin the bytes it was computed from: its
 * dataset is the submission's, its extractor one of `extractors`, every metric key a known metric, and
 * `model.files` gives the sha256 of the uploaded checkpoint (the main file at least), each matching the upload.
 */
function checkReport(r: Report, o: { dataset: string; files: ReadonlyArray<{ name: string; sha256: string }>; mainFile: string; extractors: readonly string[] }): void {
  const bad = (field: string, what: string) => new GenbenchError('INPUT', `report.json: field '${field}' ${what}`);
  if (r.dataset.name !== o.dataset) throw bad('dataset.name', `is '${r.dataset.name.slice(0, 60)}' but the submission is evaluated on '${o.dataset}'; report on that dataset or leave report.json out`);
  if (!o.extractors.includes(r.recipe.extractor.id)) throw bad('recipe.extractor.id', `is '${r.recipe.extractor.id.slice(0, 80)}', not an extractor this server evaluates with; use one of ${o.extractors.join(', ')}`);
  for (const key of Object.keys(r.metrics)) {
    if (!KNOWN_METRICS.has(key)) throw bad(`metrics.${key.slice(0, 60)}`, `is not a metric this server knows; known: ${[...KNOWN_METRICS].join(', ')}`);
  }
  const listed = r.model.files;
  if (listed[o.mainFile] === undefined) throw bad('model.files', `does not give the sha256 of ${o.mainFile}; report the checkpoint that was uploaded`);
  for (const [name, sha] of Object.entries(listed)) {
    const f = o.files.find((x) => x.name === name);
    if (f === undefined) throw bad(`model.files.${name.slice(0, 80)}`, 'names a file that was not uploaded');
    if (f.sha256 !== sha) throw new GenbenchError('CHECKSUM', `report.json: field 'model.files.${name}' is ${sha} but the uploaded ${name} has sha256 ${f.sha256}; the report is of other bytes`);
  }
}

function checkDataset(name: string | undefined, source: string): string {
  const valid = [...DATASETS.keys()].join(', ');
  if (name === undefined || name.length === 0) throw new GenbenchError('INPUT', `${source}: no dataset: set field 'dataset' in the manifest or the form (one of ${valid})`);
  if (!DATASETS.has(name)) throw new GenbenchError('INPUT', `dataset '${name.slice(0, 60)}' is not served here; use one of ${valid}`);
  return name;
}

async function readJson(f: { name: string; path: string }, limits: UploadLimits): Promise<unknown> {
  const buf = await readFile(f.path);
  if (buf.length > limits.maxJsonBytes) throw new GenbenchError('INPUT', `${f.name}: ${buf.length} bytes, more than the ${limits.maxJsonBytes} allowed for JSON files`);
  return parseJsonText(buf.toString('utf8'), f.name, 'upload the file genbench or the exporter wrote');
}
