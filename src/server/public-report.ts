import type { Report } from '../io/report.js';

/**
 * What the server shows of its own files: nothing. `scrubPaths` replaces every absolute path in a text by its last
 * component (a temp folder, a dataset file, a blob, an onnxruntime source file: '/tmp/genbench-eval-x1/g.onnx' ->
 * 'g.onnx'); URLs and relative paths stay. `publicReport` is a report as pages, API answers and downloads show it:
 * datasets named by their asset id and sha256 (the `path` of each dataset file becomes its id), the model file by
 * its name, and every other string scrubbed, so neither the server's reports nor an uploaded self-report show a
 * folder of the machine they were made on.
 *
 * @example
 * scrubPaths("ENOENT: open '/srv/gb/blobs/ab/cd'"); // "ENOENT: open 'cd'"
 * publicReport(report).dataset.files[0];           // { id: 'datasets/mnist/t10k-images-idx3-ubyte.gz', path: 'datasets/mnist/t10k-images-idx3-ubyte.gz', sha256: '1673...' }
 */
const ABSOLUTE_PATH = /(?<![\w:/.~-])(?:[A-Za-z]:)?(?:[\\/][^\s\\/'"`:,;()[\]<>]+){2,}[\\/]?/g;

export function scrubPaths(text: string): string {
  return text.replace(ABSOLUTE_PATH, (p) => p.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || '.');
}

/** Every string of a JSON value scrubbed (object keys too). */
export function scrubDeep<T>(value: T): T {
  if (typeof value === 'string') return scrubPaths(value) as T;
  if (Array.isArray(value)) return value.map(scrubDeep) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrubPaths(k), scrubDeep(v)])) as T;
  return value;
}

export function publicReport(r: Report): Report {
  const files = r.dataset.files.map((f) => ({ ...(f.id === undefined ? {} : { id: f.id }), path: f.id ?? lastComponent(f.path), sha256: f.sha256 }));
  return scrubDeep({ ...r, model: { ...r.model, path: lastComponent(r.model.path) }, dataset: { ...r.dataset, files } });
}

function lastComponent(p: string): string {
  return p.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || p;
}
