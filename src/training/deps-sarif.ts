/**
 * SARIF 2.1.0 for a dependency audit, in the shape the scanner writes (one run, the rules the
 * run used, one result per finding, problems as tool execution notifications: core's
 * sarifLog), so one code scanning upload takes both.
 */
import { sarifLog, sarifUri } from '../core/index.js';
import type { DependencyAuditReport, DependencyFinding } from './audit-deps.js';

const DOCS = 'https://github.com/rampart-ml/rampart/blob/main/docs/dependency-audit.md';

interface RuleSpec {
  readonly id: string;
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  readonly level: 'error' | 'warning';
  /** GitHub's 0–10 ranking. */
  readonly securitySeverity: string;
  readonly anchor: string;
}

/** One SARIF rule per finding kind. */
export const DEPENDENCY_RULES: Readonly<Record<DependencyFinding['kind'], RuleSpec>> = {
  vulnerable: {
    id: 'RD001',
    name: 'VulnerableDependency',
    summary: 'A pinned dependency version is named by a known advisory.',
    help: 'Upgrade to a version the advisory lists as fixed, regenerate the lockfile, and audit again.',
    level: 'error',
    securitySeverity: '8.0',
    anchor: 'what-is-checked',
  },
  unpinned: {
    id: 'RD002',
    name: 'UnpinnedDependency',
    summary: 'A dependency is not pinned to one exact version.',
    help: 'Pin it with == (or let the locking tool do it) so every install gets the same release.',
    level: 'error',
    securitySeverity: '5.5',
    anchor: 'what-is-checked',
  },
  unhashed: {
    id: 'RD003',
    name: 'HashlessDependency',
    summary: 'A dependency has no hash, so other bytes could be installed under the same version.',
    help: 'Regenerate the lockfile with hashes (pip-compile --generate-hashes, poetry lock, uv lock, npm install).',
    level: 'error',
    securitySeverity: '5.5',
    anchor: 'what-is-checked',
  },
  'not-registry': {
    id: 'RD004',
    name: 'NonRegistryDependency',
    summary: 'A dependency comes from git, a file or a tarball URL instead of a package registry.',
    help: 'Depend on a published registry version, or vendor and review the source.',
    level: 'error',
    securitySeverity: '5.5',
    anchor: 'what-is-checked',
  },
};

/** The report as a SARIF 2.1.0 log; `tool.version` is Rampart's. */
export function dependencySarif(
  report: DependencyAuditReport,
  tool: { readonly version: string },
): object {
  const kinds = (Object.keys(DEPENDENCY_RULES) as DependencyFinding['kind'][]).filter((kind) =>
    report.findings.some((f) => f.kind === kind),
  );
  return sarifLog({
    version: tool.version,
    informationUri: DOCS,
    rules: kinds.map((kind) => sarifRule(DEPENDENCY_RULES[kind])),
    notifications: report.problems.map((p) => ({
      level: 'error',
      message: { text: `${p.code === undefined ? '' : `${p.code}: `}${p.message}` },
      ...(p.lockfile === undefined ? {} : { locations: [location(p.lockfile, p.line)] }),
    })),
    results: report.findings.map((f) => sarifResult(f, kinds.indexOf(f.kind))),
  });
}

function sarifRule(rule: RuleSpec): object {
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.summary },
    help: { text: rule.help },
    helpUri: `${DOCS}#${rule.anchor}`,
    defaultConfiguration: { level: rule.level },
    properties: { tags: ['security', 'supply-chain'], 'security-severity': rule.securitySeverity },
  };
}

function sarifResult(finding: DependencyFinding, ruleIndex: number): object {
  const rule = DEPENDENCY_RULES[finding.kind];
  const what = `${finding.package}${finding.version === undefined ? '' : ` ${finding.version}`}`;
  const properties: Record<string, unknown> = {
    ecosystem: finding.ecosystem,
    package: finding.package,
    ...(finding.version === undefined ? {} : { version: finding.version }),
  };
  let text: string;
  if (finding.kind === 'vulnerable') {
    properties.advisory = finding.advisory;
    properties.aliases = finding.aliases;
    properties.fixed = finding.fixed;
    properties.severity = finding.severity;
    properties.helpUri = `https://osv.dev/vulnerability/${encodeURIComponent(finding.advisory)}`;
    const fixed =
      finding.fixed.length === 0 ? 'no fixed version' : `fixed in ${finding.fixed.join(', ')}`;
    const aliases = finding.aliases.length === 0 ? '' : ` (${finding.aliases.join(', ')})`;
    text = `${what}: ${finding.advisory}${aliases}, ${fixed}. ${finding.summary}`.trim();
  } else {
    properties.reason = finding.reason;
    text = `${what}: ${rule.summary} (${finding.reason})`;
  }
  return {
    ruleId: rule.id,
    ruleIndex,
    level: rule.level,
    message: { text },
    locations: [location(finding.lockfile, finding.line)],
    partialFingerprints: {
      'rampartDependency/v1': `${finding.kind}:${finding.ecosystem}:${finding.package}:${finding.version ?? ''}:${finding.kind === 'vulnerable' ? finding.advisory : ''}`,
    },
    properties,
  };
}

function location(file: string, line: number | undefined): object {
  return {
    physicalLocation: {
      artifactLocation: { uri: sarifUri(file) },
      ...(line === undefined ? {} : { region: { startLine: line } }),
    },
  };
}
