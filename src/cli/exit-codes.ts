import type { ErrorKind } from '../core/index.js';

/** Exit codes of the CLI contract (DESIGN.md): 0 ok, 1 a check failed or was refused, 2 error. */
export const EXIT = { ok: 0, failed: 1, error: 2 } as const;

/** The exit code for an error of the given kind; the only place kinds meet exit codes. */
export function exitCodeFor(kind: ErrorKind): 1 | 2 {
  switch (kind) {
    case 'integrity':
    case 'refused':
    case 'unauthenticated':
      return EXIT.failed;
    case 'usage':
    case 'input':
    case 'not_found':
    case 'conflict':
    case 'unavailable':
    case 'internal':
      return EXIT.error;
  }
}
