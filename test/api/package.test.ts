import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The package as a user gets it: `npm pack` of this checkout (dist/ is built by the test global setup), installed
 * into an empty project, then imported by name from a plain ESM script and type-checked from a TypeScript file.
 *
 * The install runs offline, from the npm cache that `npm ci` filled. `npm install <tarball>` into an empty project
 * would have to resolve every dependency's version range, which needs the registry's package metadata, and `npm ci`
 * never caches that (it installs from the lockfile's URLs and integrity hashes). So the scratch project gets a
 * lockfile made from this repository's (the runtime, non-dev entries, plus the tarball itself) and `npm ci
 * --offline` fetches only tarballs, all of which are in the cache. `--ignore-scripts`: no native builds;
 * `--omit=optional`: no tfjs-node. The parts checked here need neither: the metrics run on onnxruntime-node, whose
 * CPU binaries ship inside its npm package.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'genbench-pack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The environment for npm in the scratch project: none of the npm_* variables a parent `npm test` sets. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) || /^npm_config_cache$/i.test(k)) env[k] = v;
  }
  return env;
}

function npm(args: readonly string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, env: npmEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 << 20 });
}

interface LockEntry {
  readonly dev?: boolean;
  readonly [key: string]: unknown;
}

/** A lockfile for a project whose one dependency is the tarball: this repository's runtime entries under it. */
function scratchLock(tarball: string, name: string): unknown {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const self = lock.packages['']!;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'scratch', version: '1.0.0', dependencies: { genbench: `file:../${name}` } },
    'node_modules/genbench': {
      version: self['version'],
      resolved: `file:../${name}`,
      integrity,
      dependencies: self['dependencies'],
      optionalDependencies: self['optionalDependencies'],
      bin: self['bin'],
      engines: self['engines'],
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && entry.dev !== true) packages[path] = entry;
  return { name: 'scratch', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

const SCRIPT = `
import { fdFromFeatures, matrix, getMetric } from 'genbench';
const generated = matrix(4, 2, Float64Array.of(0, 0, 2, 0, 0, 2, 2, 2));
const reference = matrix(4, 2, Float64Array.of(3, 0, 7, 0, 3, 4, 7, 4));
const fd = await fdFromFeatures({ generated, reference });
let internal;
try { await import('genbench/dist/src/rng.js'); internal = 'importable'; } catch (e) { internal = e.code; }
const pkg = (await import('genbench/package.json', { with: { type: 'json' } })).default;
const entries = ['genbench/server', 'genbench/store'].map((s) => import.meta.resolve(s).split('node_modules/genbench/')[1]);
console.log(JSON.stringify({ fd: fd.value, method: fd.method, kid: getMetric('kid').id, internal, version: pkg.version, entries }));
`;

const TYPED = `
import { fdFromFeatures, matrix, type FdResult, type Matrix } from 'genbench';
const m: Matrix = matrix(2, 1, Float64Array.of(0, 1));
export const r: Promise<FdResult> = fdFromFeatures({ generated: m, reference: m });
// @ts-expect-error: the reference set is required
export const bad = fdFromFeatures({ generated: m });
`;

describe('the packed package', () => {
  it('installs offline into an empty project and computes FD through `import ... from "genbench"`', { timeout: 90_000 }, () => {
    const packed = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], root)) as { filename: string }[];
    const name = packed[0]!.filename;
    const proj = join(tmp, 'proj');
    mkdirSync(proj);
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, type: 'module', dependencies: { genbench: `file:../${name}` } }));
    writeFileSync(join(proj, 'package-lock.json'), JSON.stringify(scratchLock(join(tmp, name), name)));
    npm(['ci', '--offline', '--ignore-scripts', '--omit=optional', '--no-audit', '--no-fund'], proj);
    expect(existsSync(join(proj, 'node_modules/genbench/dist/src/index.d.ts'))).toBe(true);
    expect(existsSync(join(proj, 'node_modules/vitest'))).toBe(false); // dev dependencies stay out

    writeFileSync(join(proj, 'fd.mjs'), SCRIPT);
    const out = JSON.parse(execFileSync(process.execPath, ['fd.mjs'], { cwd: proj, encoding: 'utf8' })) as Record<string, unknown>;
    // generated: the corners of [0,2]^2 (mean (1,1), covariance 4/3 I); reference: 2 x generated + (3, 0)
    // (mean (5,2), covariance 16/3 I): FD = |(4,1)|^2 + 8/3 + 32/3 - 2 * 2 sqrt(4/3 * 16/3) = 17 + 8/3 = 59/3
    expect(out['fd'] as number).toBeCloseTo(59 / 3, 9);
    expect(out['method']).toBe('cholesky-eigh');
    expect(out['kid']).toBe('kid');
    expect(out['internal']).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED'); // only the exports map is public
    expect(out['entries']).toEqual(['dist/src/server/serve.js', 'dist/src/store/index.js']); // resolved, not loaded (native drivers)
    expect(out['version']).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);

    writeFileSync(join(proj, 'typed.ts'), TYPED);
    writeFileSync(
      join(proj, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['typed.ts'] }),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: proj, encoding: 'utf8' }); // throws with tsc's errors
  });
});
