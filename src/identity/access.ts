import type { AppendReceipt } from '../audit/index.js';
import type { Principal } from './principals.js';
import { rolesFor, type Action } from './roles.js';

/** Where decisions are recorded (an AuditLog, or anything that appends like one). */
export interface AuditSink {
  append(event: unknown): Promise<AppendReceipt>;
}

/** What an action is about. */
export interface Resource {
  readonly type: string;
  readonly id: string;
  readonly digest?: string;
}

/** A policy answer. */
export interface Decision {
  readonly allowed: boolean;
  readonly reason: string;
}

/** A decision as recorded: with the audit index of its entry. */
export interface RecordedDecision extends Decision {
  readonly auditIndex: number;
}

/** Extra facts for a decision's audit entry. */
export interface DecisionContext {
  /** Where the request came from (an address); the log keeps only a keyed hash of it. */
  readonly source?: string;
  readonly evidence?: readonly string[];
  readonly correlationId?: string;
}

/**
 * The role check, deny by default: allowed only when one of the principal's roles is listed
 * for the action. Pure; {@link AccessControl} records it.
 */
export function decideByRole(principal: Principal, action: Action): Decision {
  const allowing = rolesFor(action);
  const held = principal.roles.find((role) => allowing.includes(role));
  return held === undefined
    ? {
        allowed: false,
        reason: `${principal.subject} holds none of the roles that allow ${action} (${allowing.join(', ')})`,
      }
    : { allowed: true, reason: `${principal.subject} holds role ${held}` };
}

/**
 * The one policy decision point: every route, command and gate asks it, and every answer,
 * allow or deny, becomes an audit entry naming the principal.
 */
export class AccessControl {
  readonly #audit: AuditSink;

  constructor(audit: AuditSink) {
    this.#audit = audit;
  }

  /** Decides `action` on `resource` by role and records the decision. */
  async decide(
    principal: Principal,
    action: Action,
    resource: Resource,
    context: DecisionContext = {},
  ): Promise<RecordedDecision> {
    return this.record(principal, action, resource, decideByRole(principal, action), context);
  }

  /** Records a decision made elsewhere (a gate's outcome, an authentication failure). */
  async record(
    actor: Pick<Principal, 'subject' | 'type'>,
    action: string,
    resource: Resource,
    decision: Decision,
    context: DecisionContext = {},
  ): Promise<RecordedDecision> {
    const receipt = await this.#audit.append(
      decisionEvent(actor, action, resource, decision, context),
    );
    return { ...decision, auditIndex: receipt.index };
  }
}

/** The audit event of a decision. */
export function decisionEvent(
  actor: Pick<Principal, 'subject' | 'type'>,
  action: string,
  resource: Resource,
  decision: Decision,
  context: DecisionContext = {},
): unknown {
  return {
    actor: {
      subject: actor.subject,
      type: actor.type,
      ...(context.source === undefined ? {} : { source: context.source }),
    },
    action,
    resource: {
      type: resource.type,
      id: resource.id.slice(0, 512),
      ...(resource.digest === undefined ? {} : { digest: resource.digest }),
    },
    decision: { allowed: decision.allowed, reason: decision.reason.slice(0, 1024) },
    ...(context.evidence === undefined || context.evidence.length === 0
      ? {}
      : { evidence: context.evidence.slice(0, 64) }),
    ...(context.correlationId === undefined ? {} : { correlationId: context.correlationId }),
  };
}
