import { migration0001 } from './0001-initial.js';
import { migration0002 } from './0002-audit-log.js';
import { migration0003 } from './0003-datasets.js';
import { migration0004 } from './0004-identity-registry.js';
import { migration0005 } from './0005-gateway.js';
import { migration0006 } from './0006-training-runs.js';
import { migration0007 } from './0007-audit-nodes-compact.js';
import type { Migration } from './migration.js';

/** Every migration the code knows, in version order. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
];

export { portable } from './migration.js';
export type { Migration } from './migration.js';
