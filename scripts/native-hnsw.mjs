#!/usr/bin/env node
/**
 * Rebuilds hnswlib-node's addon for this machine's CPU (`-O3 -march=native`), run by `npm ci` as genbench's
 * postinstall. The package's own build uses node-gyp's default flags, so hnswlib compiles its SSE distance loops
 * only; hnswlib picks AVX / AVX-512 loops at compile time (__AVX__, __AVX512F__). Measured here (AMD EPYC with
 * AVX-512, 50,000 x 768 rows, 2 shards): build 49 s -> 32 s, 10,000 queries 16.4 s -> 9.3 s, same recall.
 *
 * The build runs in a copy of the package (node_modules/.cache/genbench-hnsw-native); a finished addon is moved
 * beside the package's own build as build/Release/genbench-native.node (by rename) with genbench-native.json, the
 * instruction-set flags of this CPU. The portable addon stays: src/nn/hnsw-addon.ts loads the native one only on a
 * CPU that has all of those flags, so a node_modules moved to an older CPU falls back instead of dying of an illegal
 * instruction. It prints one line and never fails the install. GENBENCH_NATIVE_HNSW=0 skips it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg) => console.error(`genbench postinstall: ${msg}`);

function nodeGyp() {
  const candidates = [process.env.npm_config_node_gyp, join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'), '/usr/share/nodejs/node-gyp/bin/node-gyp.js'];
  return candidates.find((p) => p !== undefined && p !== '' && existsSync(p));
}

/** Every flag of /proc/cpuinfo (the loader compares the instruction-set ones). */
function cpuFlags() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => /^flags\s*:/.test(l)) ?? '';
    return line.slice(line.indexOf(':') + 1).trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
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
  const target = join(pkg, 'build/Release/genbench-native.node');
  mkdirSync(dirname(target), { recursive: true });
  const cpu = cpuFlags();
  writeFileSync(`${target}.json.tmp`, `${JSON.stringify({ flags, cpuFlags: cpu })}\n`);
  renameSync(built, target);
  renameSync(`${target}.json.tmp`, join(pkg, 'build/Release/genbench-native.json'));
  rmSync(work, { recursive: true, force: true });
  say(`built a native hnswlib-node addon (${flags}) beside the portable one, for CPUs with this one's instruction-set flags`);
}

main();
