import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Command } from 'commander';
import { GenbenchError } from '../errors.js';
import { manifestPathFor } from '../models/manifest.js';
import { log, printJson, printLine } from './output.js';
import { readJsonFile } from '../io/json-file.js';

/**
 * `genbench submit`: uploads a checkpoint to a genbench server for evaluation: an ONNX file (with `X.genbench.json`
 * beside it) or a TF.js folder (model.json, its shards, genbench.json), as one multipart POST to /api/submissions.
 * A translator (manifest `kind: translator`, e.g. a `genbench train --model pix2pix` run folder) goes as its .onnx
 * and manifest only, or, with a manifest of format 'tfjs-layers', as its model.json, shards and manifest, and is
 * scored on its translation task (`task`, or --dataset TASK)
 * with the token in the Authorization header (--token or GENBENCH_TOKEN). Prints the status URL; --wait polls until
 * the evaluation is done (exit 1 if it failed).
 *
 * @example
 * genbench submit --server http://127.0.0.1:8080 --token gb_... subs/mnist-dcgan.onnx   # http://127.0.0.1:8080/submissions/<id>
 * genbench submit --server http://127.0.0.1:8080 --token gb_... runs/pix2pix-pneumonia-sr2 --wait   # done: http://127.0.0.1:8080/models/<id>
 */
interface SubmitFlags {
  server: string;
  token?: string;
  dataset?: string;
  wait?: boolean;
  json?: boolean;
}

export function submitCommand(): Command {
  return new Command('submit')
    .description('upload a generator checkpoint (ONNX file or TF.js folder + genbench.json) or a translator (ONNX or TF.js folder + kind: translator manifest) to a genbench server')
    .argument('<path>', 'X.onnx (with X.genbench.json beside it), a TF.js model folder, or a genbench train run folder')
    .requiredOption('--server <url>', 'server base URL, e.g. http://127.0.0.1:8080')
    .option('--token <token>', 'submission token (default: GENBENCH_TOKEN)')
    .option('--dataset <name>', 'dataset (generators) or translation task (translators) to evaluate on (default: the manifest\'s)')
    .option('--wait', 'wait for the evaluation and print its result')
    .option('--json', 'print the server\'s JSON answer')
    .action(runSubmit);
}

/** The files of a checkpoint to upload, by name. */
export async function checkpointFiles(path: string): Promise<Array<{ name: string; path: string }>> {
  const manifest = await manifestPathFor(path);
  const info = await stat(manifest).catch(() => null);
  if (info === null) throw new GenbenchError('NOT_FOUND', `${manifest}: manifest not found; a submission needs the checkpoint's genbench.json`);
  const m = ((await readJsonFile(manifest, 'fix the manifest')) ?? {}) as { file?: unknown; format?: unknown };
  if (typeof m.file !== 'string') throw new GenbenchError('INPUT', `${manifest}: field 'file' is missing; name the checkpoint file`);
  const folder = dirname(manifest);
  // A run folder's manifest names its newest checkpoint (`ckpt-N/...`), whose own genbench.json names the file beside it.
  const sub = dirname(m.file);
  if (sub !== '.' && (await stat(join(folder, sub, 'genbench.json')).catch(() => null)) !== null) return checkpointFiles(join(folder, sub));
  const files = [{ name: basename(manifest), path: manifest }, { name: basename(m.file), path: join(folder, m.file) }];
  if (m.format !== 'onnx') {
    const json = ((await readJsonFile(join(folder, m.file), 'a TF.js checkpoint needs its model.json')) ?? {}) as { weightsManifest?: Array<{ paths?: string[] }> };
    for (const p of (json.weightsManifest ?? []).flatMap((g) => g.paths ?? [])) files.push({ name: basename(p), path: join(folder, p) });
  }
  return files;
}

async function runSubmit(path: string, f: SubmitFlags): Promise<void> {
  const token = f.token ?? process.env['GENBENCH_TOKEN'];
  if (token === undefined || token.length === 0) throw new GenbenchError('USAGE', '--token: missing; pass --token or set GENBENCH_TOKEN (get one with genbench admin token)');
  const base = serverUrl(f.server);
  const form = new FormData();
  for (const file of await checkpointFiles(path)) {
    const blob = await openAsBlob(file.path).catch(() => {
      throw new GenbenchError('NOT_FOUND', `${file.path}: cannot read it; the manifest names it as part of the checkpoint`);
    });
    form.append('files', blob, file.name);
  }
  if (f.dataset !== undefined) form.append('dataset', f.dataset);
  const answer = (await call(`${base}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } })) as { id: string; links: { page: string; status: string } };
  if (!f.wait) {
    if (f.json) printJson(answer);
    else printLine(`${base}${answer.links.page}`);
    return;
  }
  log(`genbench: queued ${base}${answer.links.page}; waiting for the evaluation`);
  for (;;) {
    const s = (await call(`${base}${answer.links.status}`, {})) as { status: string; error: string | null; links: { model: string } };
    if (s.status === 'done' || s.status === 'failed') {
      if (f.json) printJson(s);
      else printLine(s.status === 'done' ? `done: ${base}${s.links.model}` : `failed: ${s.error}`);
      if (s.status === 'failed') process.exitCode = 1;
      return;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function serverUrl(s: string): string {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new GenbenchError('USAGE', `--server: '${s}' is not a URL; give e.g. http://127.0.0.1:8080`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new GenbenchError('USAGE', `--server: use an http:// or https:// URL, got ${u.protocol}`);
  return u.origin + u.pathname.replace(/\/+$/, '');
}

async function call(url: string, init: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new GenbenchError('NETWORK', `${url}: cannot reach the server (${(e as Error).cause ? String((e as { cause: Error }).cause.message) : (e as Error).message})`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new GenbenchError('NETWORK', `${url}: HTTP ${res.status}, not a genbench server answer`);
  }
  if (!res.ok) {
    const message = (body as { error?: { message?: string } }).error?.message ?? `HTTP ${res.status}`;
    throw new GenbenchError(res.status === 401 || res.status === 403 ? 'USAGE' : 'INPUT', `server refused the submission: ${message}`);
  }
  return body;
}
