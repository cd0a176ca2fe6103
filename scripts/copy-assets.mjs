// Copies the files tsc does not emit into dist/, so the published package (package.json "files": dist) carries them:
// the web site's scripts and stylesheets, src/server/public -> dist/src/server/public. The server finds them from
// its own location in both layouts (src/server/routes/static.ts, publicDir). Run by `npm run build` after tsc.
// It also marks the CLI executable: `npm ci` links `genbench` before `prepare` builds it, so tsc's 0644 file would
// otherwise stay non-executable and `npx genbench` would fail with 'Permission denied'.
//
//   node scripts/copy-assets.mjs   # copied 6 files: src/server/public -> dist/src/server/public
import { chmodSync, cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const COPIES = [['src/server/public', 'dist/src/server/public']];

for (const [from, to] of COPIES) {
  const src = join(root, from);
  const dest = join(root, to);
  rmSync(dest, { recursive: true, force: true }); // files removed from src must not linger in dist
  cpSync(src, dest, { recursive: true });
  const n = readdirSync(dest, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
  process.stdout.write(`copied ${n} files: ${relative(root, src)} -> ${relative(root, dest)}\n`);
}

const bin = join(root, 'dist/src/cli/bin.js');
if (existsSync(bin)) chmodSync(bin, 0o755);
