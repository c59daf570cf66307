/**
 * Pickle boundaries: what happens at STOP, at the end of a pickle, and when an inline pickle
 * (a joblib object array) or a deferred action (an array payload or an over-long text line)
 * resumes.
 */
import { render } from './render.js';
import type { Machine } from './machine.js';
import { FAIL, NEED, SKIP, STOPPED } from './status.js';
import type { Reader } from './reader.js';
import { finishLine } from './ops-line.js';
import { pathOf, type Call, type Text, type Value } from './values.js';

/** Bytes handed to a nested loader, queued for a recursive scan. */
export interface Nested {
  readonly payload: Text;
  readonly at: number;
}

/** An outer pickle suspended while an inline one runs. */
export interface Frame {
  readonly stack: Value[];
  readonly marks: number[];
  readonly fence: number;
  readonly memo: Map<number, Value>;
  readonly proto: number;
}

/** Inline pickles nested inside each other (joblib object arrays) before giving up. */
const MAX_FRAMES = 8;

/** Reports a call result nobody uses (RS107). */
export function unusedResult(m: Machine, call: Call): void {
  const fn = typeof call.fn !== 'number' && call.fn.kind === 'global' ? pathOf(call.fn) : '?';
  m.reporter.finding({
    rule: 'RS107',
    message: `The result of calling ${fn} is thrown away, the signature of injected code.`,
    offset: call.offset,
    callable: fn,
    evidence: render(call),
  });
}

/** Suspends the current pickle and starts a fresh one at the same position. */
export function pushFrame(m: Machine, at: number): boolean {
  if (m.frames.length >= MAX_FRAMES) {
    m.problem('pickle-too-deep', 'Inline pickles are nested too deeply.', at, true);
    return false;
  }
  m.frames.push({ stack: m.stack, marks: m.marks, fence: m.fence, memo: m.memo, proto: m.proto });
  m.stack = [];
  m.marks = [];
  m.fence = 0;
  m.memo = new Map();
  m.proto = 0;
  return true;
}

/** STOP: ends the pickle, or an inline one (whose result is the array already on the stack). */
export function stop(m: Machine, at: number): boolean {
  m.pop(at);
  const frame = m.frames.pop();
  if (frame) {
    // The outer stack already holds ARRAY in place of the wrapper.
    Object.assign(m, frame);
    return false;
  }
  for (const item of m.stack.slice(0, 64)) {
    if (typeof item !== 'number' && item.kind === 'call' && item.used !== true) {
      unusedResult(m, item);
    }
  }
  return true;
}

/** End-of-pickle reports: memoized results never read back, globals never called. */
export function finishPickle(m: Machine): void {
  for (const call of m.discarded) if (call.used !== true) unusedResult(m, call);
  m.discarded = [];
  m.refs.flush();
}

/** Continues a deferred action; returns the next window position or STOPPED. */
export function resume(m: Machine, w: Reader): number {
  if (m.pendingLine) {
    finishLine(m);
    return w.pos;
  }
  const pending = m.pendingArray;
  if (!pending) return w.pos;
  let skip = pending.nbytes;
  if (pending.aligned) {
    if (w.available < 1) {
      if (w.eof) {
        m.problem('pickle-truncated', 'The file ends inside a joblib array.', w.offset, true);
        m.status = FAIL;
      } else {
        m.need = 1;
        m.status = NEED;
      }
      return STOPPED;
    }
    skip += 1 + (w.buf[w.pos] ?? 0);
  }
  m.pendingArray = undefined;
  if (w.pos + skip <= w.end) {
    w.pos += skip;
    return w.pos;
  }
  m.skipTarget = w.offset + skip;
  m.status = SKIP;
  return STOPPED;
}
