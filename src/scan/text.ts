/** Human-readable scan output: one block per finding, problems, then a one-line summary. */
import { SEVERITIES, type Finding, type Location, type ScanReport } from './types.js';
import { verdictName } from './verdict.js';

/** The report as text for a terminal. `code` is the verdict exit code. */
export function renderText(report: ScanReport, code: 0 | 1 | 2): string {
  const lines: string[] = [];
  const ordered = [...report.findings].sort(
    (a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity),
  );
  for (const finding of ordered) lines.push(...findingLines(finding));
  for (const problem of report.problems) {
    lines.push(`ERROR     ${where(problem, problem.offset)}: ${problem.code}: ${problem.message}`);
  }
  lines.push(summaryLine(report, code));
  return `${lines.map(oneLine).join('\n')}\n`;
}

/** One line: the verdict and how much was scanned and found. */
export function summaryLine(report: ScanReport, code: 0 | 1 | 2): string {
  const files = new Set(report.scanned.map((s) => s.file)).size;
  const counts = [...SEVERITIES]
    .reverse()
    .map((s) => [s, report.findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const detail = counts.length > 0 ? ` (${counts.join(', ')})` : '';
  return [
    `${verdictName(code)}: ${plural(files, 'file')}, ${plural(report.scanned.length, 'item')} scanned`,
    `${plural(report.findings.length, 'finding')}${detail}`,
    plural(report.problems.length, 'problem'),
  ].join('; ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function findingLines(finding: Finding): string[] {
  const head = `${finding.severity.toUpperCase().padEnd(9)} ${finding.rule} ${where(finding, finding.offset)}`;
  const lines = [head, `          ${finding.message}`];
  if (finding.callable !== undefined) lines.push(`          callable: ${finding.callable}`);
  if (finding.check !== undefined) lines.push(`          check: ${finding.check}`);
  if (finding.evidence !== undefined) lines.push(`          evidence: ${finding.evidence}`);
  return lines;
}

function where(location: Location, offset: number | undefined): string {
  const members = location.members.map((m) => ` > ${m}`).join('');
  return `${location.file}${members}${offset === undefined ? '' : ` @${offset}`}`;
}

// Names, messages and evidence come from the artefact: keep terminal control characters and
// bidirectional overrides (which can make text read differently than it is) out.
function oneLine(text: string): string {
  return text.replace(
    /[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
