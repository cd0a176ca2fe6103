import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { assetRoots, genbenchHome } from '../assets/index.js';

/**
 * Whether every asset in `ids` already lies in a GENBENCH_ASSETS folder or in GENBENCH_HOME (a cheap existence check:
 * no hashing, no network; the checksum is verified when the split is loaded).
 *
 * @example
 * await assetsAvailable(['datasets/mnist/t10k-images-idx3-ubyte.gz']); // true with GENBENCH_ASSETS=../shared
 */
export async function assetsAvailable(ids: readonly string[]): Promise<boolean> {
  const roots = [...assetRoots(), genbenchHome()];
  for (const id of ids) {
    let found = false;
    for (const root of roots) {
      try {
        await access(join(root, id));
        found = true;
        break;
      } catch {
        // not in this root
      }
    }
    if (!found) return false;
  }
  return true;
}
