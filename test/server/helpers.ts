import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Helpers of the server tests: multipart uploads with fetch, JSON calls, polling a submission.
 *
 * @example
 * const res = await upload(base, token, [{ name: 'g.onnx', data: bytes }]);
 */
export interface Part {
  readonly name: string;
  readonly data: Uint8Array | string;
}

export function upload(base: string, token: string | undefined, parts: readonly Part[], extra: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  for (const p of parts) form.append('files', new Blob([typeof p.data === 'string' ? p.data : Buffer.from(p.data)]), p.name);
  for (const [k, v] of Object.entries(extra)) form.append(k, v);
  return fetch(`${base}/api/submissions`, { method: 'POST', body: form, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
}

/** The mnist-dcgan fixture (ONNX + manifest) from the shared assets. */
export async function dcganParts(shared: string): Promise<{ onnx: Part; manifest: Part; manifestJson: Record<string, unknown> }> {
  const dir = join(shared, 'fixtures', 'submissions');
  const onnx = await readFile(join(dir, 'mnist-dcgan.onnx'));
  const manifestText = await readFile(join(dir, 'mnist-dcgan.genbench.json'), 'utf8');
  return { onnx: { name: 'mnist-dcgan.onnx', data: onnx }, manifest: { name: 'mnist-dcgan.genbench.json', data: manifestText }, manifestJson: JSON.parse(manifestText) };
}

export async function waitForSubmission(base: string, id: string, timeoutMs = 120_000): Promise<{ status: string; error: string | null; model: { id: string } }> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = (await (await fetch(`${base}/api/submissions/${id}`)).json()) as { status: string; error: string | null; model: { id: string } };
    if (s.status === 'done' || s.status === 'failed' || Date.now() > end) return s;
    await new Promise((r) => setTimeout(r, 250));
  }
}
