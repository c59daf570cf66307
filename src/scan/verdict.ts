/** The scan verdict: the exit-code convention of scanners.md §3, findings before errors. */
import { atLeast, type ScanReport, type Severity } from './types.js';

/** Default threshold: findings at `medium` (SARIF "warning") or above fail a scan. */
export const DEFAULT_FAIL_ON: Severity = 'medium';

/** What a scan concluded. */
export type Verdict = 'clean' | 'findings' | 'incomplete';

/**
 * 0 clean, 1 findings at or above `failOn`, 2 something could not be scanned. A finding always
 * wins over a problem; with `failOnProblems` a problem also exits 1 (fail closed).
 */
export function verdict(
  report: ScanReport,
  failOn: Severity = DEFAULT_FAIL_ON,
  failOnProblems = false,
): 0 | 1 | 2 {
  if (report.findings.some((f) => atLeast(f.severity, failOn))) return 1;
  if (report.problems.length > 0) return failOnProblems ? 1 : 2;
  return 0;
}

/** The verdict as a word, for reports. */
export function verdictName(code: 0 | 1 | 2): Verdict {
  return code === 0 ? 'clean' : code === 1 ? 'findings' : 'incomplete';
}
