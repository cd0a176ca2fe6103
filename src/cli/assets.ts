import { Command } from 'commander';
import {
  ASSETS,
  assetRoots,
  assetSpec,
  genbenchHome,
  inspectAsset,
  isOffline,
  resolveAsset,
  resolveAssetFolder,
  type AssetSpec,
  type AssetStatus,
} from '../assets/index.js';
import { GenbenchError } from '../errors.js';
import { printJson, printLine } from './output.js';
import { stderrProgress } from './progress-bar.js';

/**
 * `genbench assets`: where datasets and models are found (GENBENCH_ASSETS folders, then GENBENCH_HOME), download
 * them into GENBENCH_HOME, and check them against the registry's hashes.
 */
export function assetsCommand(): Command {
  return new Command('assets')
    .description('find, download and verify the datasets and models genbench uses')
    .addCommand(listCommand())
    .addCommand(whereCommand())
    .addCommand(fetchCommand())
    .addCommand(verifyCommand());
}

function listCommand(): Command {
  return new Command('list')
    .description('every known asset: where it is found now (or missing) and whether it passes its hash check')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: { json?: boolean }) => {
      const rows = await Promise.all(ASSETS.map((a) => inspectAsset(a)));
      if (opts.json) printJson(rows.map((r, i) => ({ ...r, about: ASSETS[i]!.about })));
      else for (const r of rows) printLine(statusLine(r));
    });
}

function whereCommand(): Command {
  return new Command('where')
    .description('the asset home (GENBENCH_HOME, written) and asset roots (GENBENCH_ASSETS, read-only, looked in first)')
    .option('--json', 'machine-readable output on stdout')
    .action((opts: { json?: boolean }) => {
      const report = {
        home: genbenchHome(),
        assetRoots: assetRoots(),
        mirror: process.env['GENBENCH_MIRROR'] || null,
        offline: isOffline(),
      };
      if (opts.json) return printJson(report);
      printLine(`home: ${report.home} (GENBENCH_HOME; downloads go here)`);
      printLine(`asset roots: ${report.assetRoots.length > 0 ? report.assetRoots.join(', ') : '(none; set GENBENCH_ASSETS)'}`);
      if (report.mirror) printLine(`mirror: ${report.mirror} (GENBENCH_MIRROR)`);
      if (report.offline) printLine('offline: downloads are off (GENBENCH_OFFLINE)');
    });
}

function fetchCommand(): Command {
  return new Command('fetch')
    .description('download assets into GENBENCH_HOME (verified; already present ones are only checked)')
    .argument('<ids...>', `asset ids (see 'genbench assets list')`)
    .option('--quiet', 'no progress bar')
    .option('--json', 'machine-readable output on stdout')
    .action(async (ids: string[], opts: { quiet?: boolean; json?: boolean }) => {
      const specs = ids.map(knownSpec);
      const progress = stderrProgress({ quiet: opts.quiet === true });
      const out: { id: string; path: string; source: string; sha256: string }[] = [];
      for (const spec of specs) {
        const r =
          spec.kind === 'folder'
            ? await resolveAssetFolder(spec.id, { progress }).then((f) => ({ ...f, sha256: f.treeSha256 }))
            : await resolveAsset(spec.id, { progress });
        out.push({ id: spec.id, path: r.path, source: r.source, sha256: r.sha256 });
        if (!opts.json) printLine(`${spec.id}: ${r.path} (${r.source === 'download' ? 'downloaded' : `already in ${r.source}`})`);
      }
      if (opts.json) printJson(out);
    });
}

function verifyCommand(): Command {
  return new Command('verify')
    .description('check local copies against the registry hashes (all assets, or the ids given); exit 1 if any fails')
    .argument('[ids...]', 'asset ids (default: every known asset)')
    .option('--json', 'machine-readable output on stdout')
    .action(async (ids: string[], opts: { json?: boolean }) => {
      const specs = ids.length > 0 ? ids.map(knownSpec) : ASSETS;
      const rows = await Promise.all(specs.map((s) => inspectAsset(s)));
      if (opts.json) printJson(rows);
      else for (const r of rows) printLine(statusLine(r));
      const bad = rows.filter((r) => r.status === 'mismatch');
      if (bad.length > 0) {
        const names = bad.map((r) => r.path).join(', ');
        throw new GenbenchError('CHECK_FAILED', `${bad.length} asset(s) failed their hash check: ${names}; delete them and run 'genbench assets fetch <id>' (or replace them with good copies)`);
      }
    });
}

function knownSpec(id: string): AssetSpec {
  const spec = assetSpec(id);
  if (spec === undefined) {
    throw new GenbenchError('USAGE', `unknown asset '${id}'; known assets: ${ASSETS.map((a) => a.id).join(', ')}`);
  }
  return spec;
}

function statusLine(r: AssetStatus): string {
  const where = r.path === null ? '' : `  ${r.path}`;
  const how = r.checkedBy === null ? '' : ` (${r.checkedBy})`;
  const detail = r.detail === undefined ? '' : `\n    ${r.detail}`;
  return `${r.status.padEnd(9)} ${r.id}${how}${where}${detail}`;
}
