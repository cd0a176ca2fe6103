/**
 * The CI regression gate: compare a candidate report with a baseline (compare.ts), under tolerances from a rules
 * file (rules.ts), refusing reports whose recipes differ (comparable.ts), rendered for terminals, pull requests and
 * GitHub Actions (format.ts).
 *
 * @example
 * const result = compareReports({ baseline, candidate, rules: await readRules('gate.json') });
 * result.failed;          // false
 * gateMarkdown(result);   // '### genbench gate: ✅ no regression\n...'
 */
export { compareReports, differenceInterval, judge, INTERVAL_METHOD, type GateResult, type GateRow, type Verdict } from './compare.js';
export { assertComparable, comparabilityNotes, firstDifference } from './comparable.js';
export { gateMarkdown, gateText, githubAnnotations } from './format.js';
export { DEFAULT_RULES, DEFAULT_TOLERANCES, RULES_SCHEMA, parseRules, readRules, resolveRule, toleranceFor, type GateRules, type ResolvedRule } from './rules.js';
