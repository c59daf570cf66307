/**
 * SARIF 2.1.0 output, shaped for GitHub code scanning: one run, the rules the run used, one
 * result per finding, scan problems as tool execution notifications.
 */
import { sarifLog, sarifUri } from '../core/index.js';
import { RULES, type RuleId } from './rules.js';
import type { Finding, ScanReport, Severity } from './types.js';

const INFORMATION_URI = 'https://github.com/rampart-ml/rampart/blob/main/docs/cli/scan.md';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

// GitHub ranks security results by this number (0–10).
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

/** The report as a SARIF 2.1.0 log. */
export function toSarif(report: ScanReport, tool: { readonly version: string }): object {
  const ruleIds = [...new Set(report.findings.map((f) => f.rule))].sort();
  return sarifLog({
    version: tool.version,
    informationUri: INFORMATION_URI,
    rules: ruleIds.map(sarifRule),
    notifications: report.problems.map((p) => ({
      level: 'error',
      message: { text: `${p.code}: ${p.message}` },
      locations: [location(p.file, p.members, p.offset)],
    })),
    results: report.findings.map((f) => sarifResult(f, ruleIds.indexOf(f.rule))),
  });
}

function sarifRule(id: RuleId): object {
  const rule = RULES[id];
  return {
    id,
    name: rule.name,
    shortDescription: { text: rule.summary },
    help: { text: rule.help },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ['security'],
      'security-severity': SECURITY_SEVERITY[rule.severity],
      ...('references' in rule ? { references: rule.references } : {}),
    },
  };
}

function sarifResult(finding: Finding, ruleIndex: number): object {
  const properties: Record<string, unknown> = { severity: finding.severity };
  if (finding.callable !== undefined) properties.callable = finding.callable;
  if (finding.check !== undefined) properties.check = finding.check;
  if (finding.evidence !== undefined) properties.evidence = finding.evidence;
  if (finding.members.length > 0) properties.members = finding.members;
  if (finding.offset !== undefined) properties.offset = finding.offset;
  const evidence = finding.evidence === undefined ? '' : ` Evidence: ${finding.evidence}`;
  return {
    ruleId: finding.rule,
    ruleIndex,
    level: LEVEL[finding.severity],
    message: { text: `${finding.message}${evidence}` },
    locations: [location(finding.file, finding.members, finding.offset)],
    properties,
  };
}

// A byte offset is a region only when it is an offset into the file itself; inside an archive
// member it is relative to the member, which the logical location names instead.
function location(file: string, members: readonly string[], offset: number | undefined): object {
  const physical: Record<string, unknown> = { artifactLocation: { uri: sarifUri(file) } };
  if (members.length === 0 && offset !== undefined) physical.region = { byteOffset: offset };
  const logical =
    members.length === 0
      ? {}
      : { logicalLocations: [{ fullyQualifiedName: members.join(' > '), kind: 'member' }] };
  return { physicalLocation: physical, ...logical };
}
