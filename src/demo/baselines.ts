import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { assetRoots } from '../assets/lookup.js';
import type { BaselineEntry } from './plan.js';

/** Where the built-in baselines sit inside an asset root (GENBENCH_ASSETS). */
export const BASELINE_FOLDER = join('fixtures', 'submissions');

/**
 * The built-in baselines: the generator checkpoints exported from PyTorch to ONNX that ship with the shared assets
 * (`<root>/fixtures/submissions/X.onnx` + `X.genbench.json`). Only generators are listed (a manifest with a `role`
 * other than 'generator', such as a discriminator, is skipped), each name once (the first root wins). No assets:
 * an empty list; the demo then shows its trained models only.
 *
 * @example
 * process.env.GENBENCH_ASSETS = '/data/genbench-assets';
 * (await findBaselines()).map((b) => `${b.name} on ${b.dataset}`);
 * // ['mnist-cdcgan on mnist', 'mnist-dcgan on mnist', 'mnist-vae on mnist', 'pneumonia-dcgan on pneumoniamnist']
 */
export async function findBaselines(roots: readonly string[] = assetRoots()): Promise<BaselineEntry[]> {
  const found = new Map<string, BaselineEntry>();
  for (const root of roots) {
    const dir = join(root, BASELINE_FOLDER);
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.genbench.json')).sort();
    for (const n of names) {
      const entry = await readBaseline(dir, n);
      if (entry !== undefined && !found.has(entry.name)) found.set(entry.name, entry);
    }
  }
  return [...found.values()];
}

/** One manifest, or undefined when it is not a usable ONNX generator (unreadable, other role, checkpoint missing). */
async function readBaseline(dir: string, manifestName: string): Promise<BaselineEntry | undefined> {
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(await readFile(join(dir, manifestName), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const role = manifest['role'];
  if (role !== undefined && role !== 'generator') return undefined;
  if (manifest['format'] !== 'onnx' || typeof manifest['dataset'] !== 'string') return undefined;
  const stem = manifestName.slice(0, -'.genbench.json'.length);
  const generator = join(dir, `${stem}.onnx`);
  if (!(await stat(generator).catch(() => null))?.isFile()) return undefined;
  const name = typeof manifest['name'] === 'string' && manifest['name'].length > 0 ? manifest['name'] : stem;
  return { kind: 'baseline', name, generator, dataset: manifest['dataset'], manifest };
}
