import { resolve } from 'node:path';
import { Command } from 'commander';
import { GenbenchError } from '../errors.js';
import { compareReports, DEFAULT_RULES, gateMarkdown, gateText, githubAnnotations, readRules, type GateResult, type GateRules } from '../gate/index.js';
import { writeFileAtomic } from '../io/atomic.js';
import { checkOutputs } from './output.js';
import { readReport, type Report } from '../io/report.js';

/**
 * `genbench gate`: compares a candidate report with a baseline (src/gate) and exits 1 when a metric regressed beyond
 * its tolerance with an interval that excludes the tolerance, 0 otherwise, 2 when the reports are not comparable.
 * Prints a text table (or the result JSON with --json) on stdout, writes a Markdown summary for a pull-request
 * comment with --markdown, and GitHub Actions annotations on stdout when GITHUB_ACTIONS=true or --annotations.
 *
 * @example
 * genbench gate --baseline base.json --candidate cand.json --rules gate.json --markdown gate.md
 * # gate: FAILED, regression in fd        (exit 1)
 */
interface GateFlags {
  baseline: string;
  candidate: string;
  rules?: string;
  markdown?: string;
  json?: boolean;
  annotations?: boolean;
}

export function gateCommand(): Command {
  return new Command('gate')
    .description('fail (exit 1) when a candidate report regressed against a baseline beyond tolerance and noise')
    .requiredOption('--baseline <report.json>', 'the reference report (genbench evaluate --out)')
    .requiredOption('--candidate <report.json>', 'the report to check, made with the same recipe')
    .option('--rules <gate.json>', 'tolerances per metric (genbench.gate-rules/v1, see docs/gate.md)')
    .option('--markdown <out.md>', 'write a Markdown summary for a pull-request comment')
    .option('--json', 'print the gate result as JSON')
    .option('--annotations', 'print GitHub Actions annotations (default when GITHUB_ACTIONS=true)')
    .action(async (f: GateFlags) => {
      await checkOutputs({ '--markdown': f.markdown });
      const [baseline, candidate] = await Promise.all([readReport(resolve(f.baseline)), readReport(resolve(f.candidate))]);
      const rules = await loadRules(f.rules);
      const { markdown, json, annotations } = f;
      await runGate({
        baseline,
        candidate,
        out: process.stdout,
        json: json === true,
        annotations: annotations === true,
        rules,
        ...(markdown === undefined ? {} : { markdown }),
      });
    });
}

export interface GateStepOptions {
  readonly baseline: Report;
  readonly candidate: Report;
  readonly rules: GateRules;
  readonly markdown?: string;
  readonly json?: boolean;
  readonly annotations?: boolean;
  /** Where the table (or JSON) and the annotations go. */
  readonly out: NodeJS.WritableStream;
}

/** The rules file at `path`, or the built-in rules. */
export async function loadRules(path: string | undefined): Promise<GateRules> {
  return path === undefined ? DEFAULT_RULES : readRules(resolve(path));
}

/**
 * Runs the gate and writes its outputs; throws CHECK_FAILED (exit 1) on a regression. Shared by `genbench gate` and
 * `genbench evaluate --baseline`.
 */
export async function runGate(o: GateStepOptions): Promise<GateResult> {
  const result = compareReports({ baseline: o.baseline, candidate: o.candidate, rules: o.rules });
  if (o.json === true) o.out.write(`${JSON.stringify(result, null, 2)}\n`);
  else o.out.write(gateText(result));
  if (o.annotations === true || process.env['GITHUB_ACTIONS'] === 'true') {
    for (const line of githubAnnotations(result)) o.out.write(`${line}\n`);
  }
  if (o.markdown !== undefined) await writeFileAtomic(resolve(o.markdown), gateMarkdown(result));
  if (result.failed) {
    const failing = result.rows.filter((r) => r.fails);
    const regressed = failing.filter((r) => r.verdict === 'regression').map((r) => r.metric);
    const missing = failing.filter((r) => r.verdict === 'missing').map((r) => `${r.metric} (${r.note ?? 'no value'})`);
    const parts = [...(regressed.length > 0 ? [`${regressed.join(', ')} regressed beyond tolerance`] : []), ...(missing.length > 0 ? [`missing: ${missing.join(', ')}`] : [])];
    throw new GenbenchError('CHECK_FAILED', `gate failed: ${parts.join('; ')} (baseline ${o.baseline.model.name}, candidate ${o.candidate.model.name})`);
  }
  return result;
}
