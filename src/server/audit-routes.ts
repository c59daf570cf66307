import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AuditLog } from '../audit/index.js';
import { RampartError } from '../core/index.js';
import { authenticate, authorize, type ServerIdentity } from './identity.js';

/** Largest request body accepted by `POST /audit/entries`. */
export const MAX_AUDIT_BODY_BYTES = 16 * 1024;

/** The audit log the control plane serves, and the key that verifies its checkpoints. */
export interface AuditService {
  readonly log: AuditLog;
  /** The log's verifier key text (`<origin>+<hash>+<key>`). */
  readonly verifierKey: string;
}

/** What the audit routes need besides the log. */
export interface AuditRoutesOptions extends AuditService {
  /** Who may append: authenticated principals the policy allows `audit.append`. */
  readonly identity: ServerIdentity;
}

/**
 * Mounts the audit API: checkpoint, entries and proofs for anyone (a transparency log is public
 * to its witnesses); appending for principals the policy allows `audit.append`. Errors reach the app's one error handler.
 */
export function mountAuditRoutes(app: Hono, options: AuditRoutesOptions): void {
  const { log, verifierKey } = options;

  app.get('/audit/checkpoint', async (c) => {
    const latest = await log.latestCheckpoint();
    if ((c.req.header('accept') ?? '').includes('text/plain')) {
      if (latest === null) throw emptyLog();
      return c.text(latest.note, 200, { 'Content-Type': 'text/plain; charset=utf-8' });
    }
    const body = { checkpoint: latest?.note ?? null, verifierKey, origin: log.origin };
    return c.json({ ...body, size: latest?.size ?? 0 });
  });
  app.get('/audit/entries/:index', async (c) =>
    c.json(await log.entry(count('index', c.req.param('index')))),
  );
  app.get('/audit/proof/inclusion', async (c) => {
    const index = count('index', c.req.query('index'));
    const size = optionalCount('size', c.req.query('size'));
    return c.json(await log.inclusion(index, size));
  });
  app.get('/audit/proof/consistency', async (c) => {
    const from = count('from', c.req.query('from'));
    const proof = await log.consistency(from, optionalCount('to', c.req.query('to')));
    return c.json({ from, size: proof.size, root: proof.root, proof: proof.proof });
  });
  app.post(
    '/audit/entries',
    authenticate(options.identity),
    bodyLimit({ maxSize: MAX_AUDIT_BODY_BYTES, onError: tooLarge }),
    async (c) => {
      await authorize(options.identity, c, 'audit.append', { type: 'audit-log', id: log.origin });
      return c.json(await log.append(await jsonBody(c)), 201);
    },
  );
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RampartError('RAMPART_AUDIT_EVENT_INVALID', 'the request body is not valid JSON', {
      details: { issues: [{ path: '(root)', message: 'not valid JSON' }] },
    });
  }
}

function tooLarge(): never {
  throw new RampartError(
    'RAMPART_LIMIT_EXCEEDED',
    `the request body is over the limit of ${MAX_AUDIT_BODY_BYTES} bytes`,
    { details: { limit: MAX_AUDIT_BODY_BYTES } },
  );
}

function count(name: string, text: string | undefined): number {
  if (text === undefined || !/^\d{1,15}$/.test(text)) {
    throw new RampartError(
      'RAMPART_AUDIT_RANGE_INVALID',
      `${name} must be a non-negative integer, not ${JSON.stringify((text ?? '').slice(0, 20))}`,
      { details: { parameter: name } },
    );
  }
  return Number(text);
}

function optionalCount(name: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : count(name, text);
}

function emptyLog(): RampartError {
  return new RampartError('RAMPART_AUDIT_NOT_FOUND', 'the audit log is empty: no checkpoint yet');
}
