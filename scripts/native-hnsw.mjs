#!/usr/bin/env node
/**
 * Rebuilds hnswlib-node's addon for this machine's CPU (`-O3 -march=native`), run by `npm ci` as genbench's
 * postinstall. The package's own build uses node-gyp's default flags, so hnswlib compiles its SSE distance loops
 * only; hnswlib picks AVX / AVX-512 loops at compile time (__AVX__, __AVX512F__). Measured here (AMD EPYC with
 * AVX-512, 50,000 x 768 rows, 2 shards): build 49 s -> 32 s, 10,000 queries 16.4 s -> 9.3 s, same recall.
 *
 * The build runs in a copy of the package (node_modules/.cache/genbench-hnsw-native) and only a finished addon
 * replaces build/Release/addon.node (by rename), so a failure leaves the default build working. It prints one line
 * and never fails the install. GENBENCH_NATIVE_HNSW=0 skips it (e.g. when node_modules is shared with other CPUs).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg) => console.error(`genbench postinstall: ${msg}`);

function nodeGyp() {
  const candidates = [process.env.npm_config_node_gyp, join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'), '/usr/share/nodejs/node-gyp/bin/node-gyp.js'];
  return candidates.find((p) => p !== undefined && p !== '' && existsSync(p));
}

function main() {
  if (process.env.GENBENCH_NATIVE_HNSW === '0') return say('GENBENCH_NATIVE_HNSW=0: kept the default hnswlib-node build');
  if (process.arch !== 'x64' || process.platform !== 'linux') return say(`kept the default hnswlib-node build on ${process.platform}/${process.arch}`);
  let pkg;
  try {
    pkg = dirname(createRequire(join(root, 'package.json')).resolve('hnswlib-node/package.json'));
  } catch {
    return say('hnswlib-node is not installed; nothing to rebuild');
  }
  const gyp = nodeGyp();
  if (gyp === undefined) return say('node-gyp not found; kept the default hnswlib-node build');
  const work = join(root, 'node_modules/.cache/genbench-hnsw-native');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(dirname(work), { recursive: true });
  cpSync(pkg, work, { recursive: true, filter: (src) => !src.startsWith(join(pkg, 'build')) });
  const flags = '-O3 -march=native';
  // Node's own headers when they sit beside the binary (Debian: /usr/include/node), so node-gyp needs no download.
  const nodedir = resolve(dirname(process.execPath), '..');
  const args = existsSync(join(nodedir, 'include/node/common.gypi')) ? [`--nodedir=${nodedir}`] : [];
  const r = spawnSync(process.execPath, [gyp, 'rebuild', ...args], { cwd: work, env: { ...process.env, CXXFLAGS: flags, CFLAGS: flags }, encoding: 'utf8' });
  const built = join(work, 'build/Release/addon.node');
  if (r.status !== 0 || !existsSync(built)) {
    rmSync(work, { recursive: true, force: true });
    const why = `${r.stderr ?? ''}`.trim().split('\n').at(-1) ?? '';
    return say(`native rebuild failed (${why}); kept the default hnswlib-node build`);
  }
  const target = join(pkg, 'build/Release/addon.node');
  mkdirSync(dirname(target), { recursive: true });
  renameSync(built, target);
  rmSync(work, { recursive: true, force: true });
  say(`rebuilt hnswlib-node with ${flags}`);
}

main();
