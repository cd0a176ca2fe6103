import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Layers point one way. Each folder of src/ (and metrics/, reference-models/) has a rank; a module may import, at
 * run time, only modules of its own rank or below:
 *
 *   0  io, errors, rng, progress, version, stats the bottom: files and formats (ONNX writer included), numbers, errors, distributions
 *   0.5 assets, backend                         asset lookup and downloads; tfjs backends and ONNX sessions
 *   1  linalg
 *   1.5 nn                                      nearest neighbours (exact search, k-NN radii, HNSW)
 *   2  metrics
 *   2.5 convert                                 TF.js -> ONNX conversion
 *   3  features, models, data, reference-models
 *   3.5 memorization, gate
 *   4  harness
 *   5  store, queue, rating
 *   6  server, cli, demo, and the barrel src/index.ts
 *
 * Type-only imports are not dependencies at run time and are ignored; dynamic `import()` counts for the layers (it
 * is still a dependency) but not for cycles (it cannot run before the importing module has loaded). The known
 * exceptions are listed below, so that a new one fails this test and a removed one must be struck from the list.
 */
const RANK: Readonly<Record<string, number>> = {
  'io': 0,
  'errors': 0,
  'rng': 0,
  'progress': 0,
  'version': 0,
  'stats': 0,
  'assets': 0.5,
  'backend': 0.5,
  'linalg': 1,
  'metrics': 2,
  'nn': 1.5,
  'convert': 2.5,
  'features': 3,
  'models': 3,
  'data': 3,
  'reference-models': 3,
  'memorization': 3.5,
  'gate': 3.5,
  'harness': 4,
  'store': 5,
  'queue': 5,
  'rating': 5,
  'server': 6,
  'cli': 6,
  'demo': 6,
  'index': 6,
};

/** Imports that go up a layer today, as 'from -> to', each under a one-line comment saying why (none today). */
const KNOWN_VIOLATIONS: readonly string[] = [];

/** Static import cycles today, each as its sorted files. */
const KNOWN_CYCLES: readonly (readonly string[])[] = [];

const root = fileURLToPath(new URL('..', import.meta.url));
const FOLDERS = ['src', 'metrics', 'reference-models'];

interface Imports {
  readonly static: string[];
  readonly dynamic: string[];
}

/** The relative module specifiers a TypeScript source imports at run time (type-only imports left out). */
function runtimeImports(source: string): Imports {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const stat: string[] = [];
  for (const m of code.matchAll(/^\s*(?:import|export)\s+(type\s+)?([\w$\s{},*]*?)\s*from\s*'([^']+)'/gm)) {
    if (m[1] !== undefined || typeOnlyBraces(m[2]!)) continue;
    stat.push(m[3]!);
  }
  for (const m of code.matchAll(/^\s*import\s+'([^']+)'/gm)) stat.push(m[1]!);
  const dyn = [...code.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!);
  return { static: stat, dynamic: dyn };
}

/** True for `{ type A, type B }`: every named binding is a type. */
function typeOnlyBraces(clause: string): boolean {
  const t = clause.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return false;
  const names = t.slice(1, -1).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return names.length > 0 && names.every((s) => s.startsWith('type '));
}

function sources(): string[] {
  const out: string[] = [];
  for (const folder of FOLDERS) {
    for (const rel of readdirSync(join(root, folder), { recursive: true }) as string[]) {
      if (rel.endsWith('.ts') && !rel.endsWith('.d.ts')) out.push(join(folder, rel).split('\\').join('/'));
    }
  }
  return out.sort();
}

/** The repository file a relative specifier names (`./x.js` -> `x.ts`), or undefined for packages and non-TS files. */
function resolveSpecifier(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = normalize(join(dirname(from), spec)).split('\\').join('/').replace(/\.js$/, '.ts');
  return existsSync(join(root, target)) ? target : undefined;
}

function layerOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] !== 'src') return parts[0]!;
  return parts.length === 2 ? parts[1]!.replace(/\.ts$/, '') : parts[1]!;
}

interface Graph {
  readonly files: readonly string[];
  readonly static: ReadonlyMap<string, readonly string[]>;
  readonly dynamic: ReadonlyMap<string, readonly string[]>;
}

function importGraph(): Graph {
  const files = sources();
  const stat = new Map<string, string[]>();
  const dyn = new Map<string, string[]>();
  for (const f of files) {
    const imports = runtimeImports(readFileSync(join(root, f), 'utf8'));
    stat.set(f, imports.static.map((s) => resolveSpecifier(f, s)).filter((t): t is string => t !== undefined));
    dyn.set(f, imports.dynamic.map((s) => resolveSpecifier(f, s)).filter((t): t is string => t !== undefined));
  }
  return { files, static: stat, dynamic: dyn };
}

/** Strongly connected components of more than one file (or a file importing itself), by Tarjan's algorithm. */
function cycles(files: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      for (;;) {
        const w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
        if (w === v) break;
      }
      if (comp.length > 1 || (edges.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

describe('layers', () => {
  const graph = importGraph();

  it('reads runtime imports and leaves type-only ones out', () => {
    const parsed = runtimeImports(
      [
        "import { a, type B } from './a.js';",
        "import type { C } from './c.js';",
        "import { type D, type E } from './d.js';",
        "export { f } from './f.js';",
        "export type { G } from './g.js';",
        "import './side.js';",
        "// import { h } from './commented.js';",
        "const m = await import('./lazy.js');",
      ].join('\n'),
    );
    expect(parsed).toEqual({ static: ['./a.js', './f.js', './side.js'], dynamic: ['./lazy.js'] });
    // the graph is not empty: a metric imports the linear algebra, the CLI loads the server lazily
    expect(graph.static.get('metrics/fd.ts')).toContain('src/linalg/trace-sqrt.ts');
    expect(graph.dynamic.get('src/cli/serve.ts')).toContain('src/server/serve.ts');
  });

  it('gives every folder of src/ a layer', () => {
    const unranked = [...new Set(graph.files.map(layerOf))].filter((l) => RANK[l] === undefined);
    expect(unranked, 'add the new folder to RANK in test/layers.test.ts').toEqual([]);
  });

  it('has no static import cycle beyond the known ones', () => {
    expect(cycles(graph.files, graph.static)).toEqual(KNOWN_CYCLES);
  });

  it('imports only from the same layer or below, beyond the known exceptions', () => {
    const up: string[] = [];
    for (const edges of [graph.static, graph.dynamic]) {
      for (const [from, targets] of edges) {
        for (const to of targets) if (RANK[layerOf(from)]! < RANK[layerOf(to)]!) up.push(`${from} -> ${to}`);
      }
    }
    expect([...new Set(up)].sort()).toEqual([...KNOWN_VIOLATIONS].sort());
  });
});
