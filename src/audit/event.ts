import { createHmac } from 'node:crypto';
import * as z from 'zod';
import { canonicalize, isDigest, RampartError } from '../core/index.js';

/** The leaf format version written into every event. */
export const EVENT_VERSION = 1;

/** Largest canonical event accepted, in bytes (documented in docs/audit.md). */
export const MAX_EVENT_BYTES = 8 * 1024;

const text = (max: number) => z.string().min(1).max(max);
const digest = z
  .string()
  .refine((text): boolean => isDigest(text), 'must be sha256:<64 lowercase hex>');

/** What a caller submits: who did what to which resource, and the decision. */
export const auditEventInputSchema = z.strictObject({
  actor: z.strictObject({
    subject: text(256),
    type: z.enum(['human', 'service']),
    /** Where the request came from (an address); stored only as a keyed hash. */
    source: text(256).optional(),
  }),
  action: text(128).regex(/^[a-z][a-z0-9_.:-]*$/, 'lowercase dotted name, e.g. model.promote'),
  resource: z.strictObject({
    type: text(64),
    id: text(512),
    digest: digest.optional(),
  }),
  decision: z.strictObject({
    allowed: z.boolean(),
    reason: text(1024).optional(),
  }),
  evidence: z.array(digest).max(64).optional(),
  correlationId: text(128).optional(),
});

/** An event as submitted. */
export type AuditEventInput = z.infer<typeof auditEventInputSchema>;

/** An event as stored in a leaf: versioned, timestamped, with the source address hashed. */
export interface AuditEvent {
  readonly version: number;
  readonly time: string;
  readonly actor: { subject: string; type: 'human' | 'service'; sourceHash?: string };
  readonly action: string;
  readonly resource: AuditEventInput['resource'];
  readonly decision: AuditEventInput['decision'];
  readonly evidence?: string[] | undefined;
  readonly correlationId?: string | undefined;
}

// Values that look like credentials never enter the immutable log.
const SECRET_PATTERNS = [
  /rmp_[A-Za-z0-9_-]{16,}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bBearer\s+\S{8,}/i,
];

/**
 * Validates a submitted event and turns it into the canonical leaf bytes.
 * `salt` keys the hash of the source address, so equal sources correlate without storing them.
 * @throws RAMPART_AUDIT_EVENT_INVALID listing every problem (unknown fields included).
 */
export function toLeaf(
  input: unknown,
  time: Date,
  salt: Uint8Array,
): { event: AuditEvent; bytes: Buffer } {
  const parsed = auditEventInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: i.path.map(String).join('.') || '(root)',
      message:
        i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
    }));
    throw invalid(
      `invalid audit event: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      {
        issues,
      },
    );
  }
  const event = buildEvent(parsed.data, time, salt);
  const canonical = canonicalEvent(event);
  if (SECRET_PATTERNS.some((pattern) => pattern.test(canonical))) {
    throw invalid('the audit event contains what looks like a secret (token, private key)', {});
  }
  const bytes = Buffer.from(canonical, 'utf8');
  if (bytes.length > MAX_EVENT_BYTES) {
    throw invalid(`the audit event is ${bytes.length} bytes; the limit is ${MAX_EVENT_BYTES}`, {
      size: bytes.length,
    });
  }
  return { event, bytes };
}

function buildEvent(input: AuditEventInput, time: Date, salt: Uint8Array): AuditEvent {
  const { subject, type, source } = input.actor;
  // Built field by field rather than by spreading: this runs for every append.
  const event: AuditEvent = {
    version: EVENT_VERSION,
    time: time.toISOString(),
    actor:
      source === undefined
        ? { subject, type }
        : { subject, type, sourceHash: sourceHash(source, salt) },
    action: input.action,
    resource: input.resource,
    decision: input.decision,
  };
  if (input.evidence === undefined && input.correlationId === undefined) return event;
  return {
    ...event,
    ...(input.evidence === undefined ? {} : { evidence: input.evidence }),
    ...(input.correlationId === undefined ? {} : { correlationId: input.correlationId }),
  };
}

// The RFC 8785 form of an event, written field by field with its keys in UTF-16 code-unit
// order: the generic canonicalize() costs more than the rest of an append's CPU. A property
// test holds the two equal; a string that canonicalize() would refuse (a lone surrogate) is
// handed to it so that it refuses with its own error.

function canonicalEvent(event: AuditEvent): string {
  const strings = [
    event.action,
    event.time,
    event.actor.subject,
    event.actor.type,
    event.actor.sourceHash ?? '',
    event.resource.type,
    event.resource.id,
    event.resource.digest ?? '',
    event.decision.reason ?? '',
    event.correlationId ?? '',
    ...(event.evidence ?? []),
  ];
  if (!strings.every((text) => text.isWellFormed())) return canonicalize(event);
  const q = JSON.stringify;
  const { actor, resource, decision } = event;
  let out = `{"action":${q(event.action)},"actor":{`;
  if (actor.sourceHash !== undefined) out += `"sourceHash":${q(actor.sourceHash)},`;
  out += `"subject":${q(actor.subject)},"type":${q(actor.type)}}`;
  if (event.correlationId !== undefined) out += `,"correlationId":${q(event.correlationId)}`;
  out += `,"decision":{"allowed":${decision.allowed ? 'true' : 'false'}`;
  if (decision.reason !== undefined) out += `,"reason":${q(decision.reason)}`;
  out += '}';
  if (event.evidence !== undefined)
    out += `,"evidence":[${event.evidence.map((d) => q(d)).join(',')}]`;
  out += ',"resource":{';
  if (resource.digest !== undefined) out += `"digest":${q(resource.digest)},`;
  out += `"id":${q(resource.id)},"type":${q(resource.type)}}`;
  return `${out},"time":${q(event.time)},"version":${String(event.version)}}`;
}

// Sources repeat (a few services, a few addresses), and an HMAC costs as much as the rest of an
// append's hashing: remember recent ones, per salt, in a bounded map.
const SOURCE_CACHE_SIZE = 4096;
const sourceCache = new WeakMap<Uint8Array, Map<string, string>>();

function sourceHash(source: string, salt: Uint8Array): string {
  let cache = sourceCache.get(salt);
  if (cache === undefined) {
    cache = new Map();
    sourceCache.set(salt, cache);
  }
  let hashed = cache.get(source);
  if (hashed === undefined) {
    hashed = `hmac-sha256:${createHmac('sha256', salt).update(source).digest('hex')}`;
    if (cache.size >= SOURCE_CACHE_SIZE) cache.clear();
    cache.set(source, hashed);
  }
  return hashed;
}

function invalid(message: string, details: Record<string, unknown>): RampartError {
  return new RampartError('RAMPART_AUDIT_EVENT_INVALID', message, { details });
}
