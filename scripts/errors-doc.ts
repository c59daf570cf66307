// Renders docs/errors.md from the error catalogue: `npm run docs:errors`. A test checks that
// the committed file equals this rendering, so the catalogue and its documentation never drift.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ERRORS } from '../src/core/index.js';
import { exitCodeFor } from '../src/cli/exit-codes.js';
import { statusFor } from '../src/server/index.js';
import { repoRoot } from '../testkit/paths.js';

/** The full text of docs/errors.md. */
export function renderErrorsDoc(): string {
  const rows = Object.entries(ERRORS).map(
    ([code, spec]) =>
      `| \`${code}\` | ${spec.kind} | ${exitCodeFor(spec.kind)} | ${statusFor(spec.kind)} | ${spec.title} | ${spec.hint} |`,
  );
  return [
    '# Error codes',
    '',
    '<!-- Generated from src/core/errors.ts by `npm run docs:errors`; do not edit by hand. -->',
    '',
    'Every failure Rampart reports carries a stable code, a message saying what failed and a hint',
    'saying how to fix it. On the command line an error prints as',
    '`rampart: error CODE: message` and `hint: ...` on stderr, or with `--json` as',
    '`{"error": {"code", "message", "hint", "details"}}` on stdout. Over HTTP the body is',
    '`{"error": message, "code": CODE, "hint": ...}` with the status below.',
    '',
    'Codes are never renamed or reused. The kind decides the exit code (0 ok, 1 a check failed',
    'or was refused, 2 usage or input error) and the HTTP status.',
    '',
    '| code | kind | exit | HTTP | meaning | how to fix |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]).endsWith(path.join('scripts', 'errors-doc.js'))
) {
  writeFileSync(path.join(repoRoot, 'docs', 'errors.md'), renderErrorsDoc());
}
