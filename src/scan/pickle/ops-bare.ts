/**
 * Opcodes without an argument: containers, calls, BUILD, STOP and stack manipulation.
 */
import { build, invoke, stackGlobal } from './calls.js';
import { startArray } from './joblib.js';
import { stop, unusedResult } from './lifecycle.js';
import type { Machine } from './machine.js';
import * as op from './opcodes.js';
import type { Reader } from './reader.js';
import { DONE, STOPPED } from './status.js';
import {
  BUFFER,
  SAMPLE,
  UNKNOWN,
  container,
  weightOf,
  type Container,
  type ContainerKind,
  type Value,
} from './values.js';

/** Expanded size past which nested shared references are a billion-laughs construct. */
const EXPANSION_LIMIT = 2 ** 32;

function use(value: Value): void {
  if (typeof value !== 'number' && value.kind === 'call') value.used = true;
}

function checkExpansion(m: Machine, target: Container, at: number): void {
  if (target.weight > EXPANSION_LIMIT) {
    m.exhausted(
      'expansion',
      'Shared references expand to more than 2^32 objects (a billion-laughs pickle).',
      at,
    );
  }
}

function make(m: Machine, kind: ContainerKind, items: Value[], at: number): Container {
  for (const item of items) use(item);
  const made = container(kind, items, kind === 'dict' ? items.length >> 1 : items.length);
  checkExpansion(m, made, at);
  return made;
}

/** Adds stack entries `[from, stack.length)` to the container below them and drops them. */
function extend(m: Machine, from: number, pairs: boolean, at: number): void {
  const stack = m.stack;
  const target = stack[from - 1];
  if (from < 1 || target === undefined || typeof target === 'number') {
    stack.length = Math.max(from, 0);
    return;
  }
  const kind = target.kind;
  if (kind === 'list' || kind === 'set' || kind === 'dict') {
    const keep = kind === 'dict' ? SAMPLE * 2 : SAMPLE;
    let weight = target.weight;
    const items = target.items;
    for (let i = from; i < stack.length; i++) {
      const item = stack[i] ?? 0;
      if (items.length < keep) items.push(item);
      // Scalars (the bulk of a weight list) need no bookkeeping.
      if (typeof item === 'number' || item.kind === 'atom') weight += 1;
      else {
        use(item);
        weight += weightOf(item);
      }
    }
    target.n += pairs ? (stack.length - from) >> 1 : stack.length - from;
    target.weight = weight;
    checkExpansion(m, target, at);
  }
  stack.length = from;
}

function discard(m: Machine, value: Value): void {
  if (typeof value === 'number' || value.kind !== 'call' || value.used === true) return;
  if (value.memo !== true) unusedResult(m, value);
  else if (m.discarded.length < 1000) m.discarded.push(value);
}

function popN(m: Machine, n: number, at: number): Value[] {
  const items: Value[] = [];
  for (let i = 0; i < n; i++) items.unshift(m.pop(at));
  return items;
}

/** Runs a bare opcode at `pos`; returns the next position or STOPPED. */
export function bareOp(m: Machine, w: Reader, pos: number, code: number): number {
  const at = w.base + pos;
  const next = pos + 1;
  switch (code) {
    case op.STOP:
      if (!stop(m, at)) return next;
      w.pos = next;
      m.status = DONE;
      return STOPPED;
    case op.POP: {
      const mark = m.marks[m.marks.length - 1];
      // _pickle.c: POP right after MARK pops the mark itself.
      if (mark !== undefined && mark === m.stack.length) m.popMark(at);
      else discard(m, m.pop(at));
      return next;
    }
    case op.POP_MARK:
      for (const item of m.popMark(at)) discard(m, item);
      return next;
    case op.DUP:
      m.push(m.top(at), at);
      return next;
    case op.APPEND:
    case op.SETITEM:
    case op.APPENDS:
    case op.SETITEMS:
    case op.ADDITEMS:
      return mutate(m, code, at, next);
    default: {
      const made = newContainer(m, code, at);
      if (made) {
        m.push(made, at);
        return next;
      }
      return callOp(m, w, pos, code);
    }
  }
}

/** Container opcodes: EMPTY_*, TUPLE1-3 and the MARK-based TUPLE/LIST/DICT/FROZENSET. */
const EMPTY: ReadonlyMap<number, ContainerKind> = new Map([
  [op.EMPTY_TUPLE, 'tuple'],
  [op.EMPTY_LIST, 'list'],
  [op.EMPTY_DICT, 'dict'],
  [op.EMPTY_SET, 'set'],
]);
const FROM_MARK: ReadonlyMap<number, ContainerKind> = new Map([
  [op.TUPLE, 'tuple'],
  [op.LIST, 'list'],
  [op.DICT, 'dict'],
  [op.FROZENSET, 'frozenset'],
]);

function newContainer(m: Machine, code: number, at: number): Container | undefined {
  const empty = EMPTY.get(code);
  if (empty) return container(empty, []);
  if (code >= op.TUPLE1 && code <= op.TUPLE3) {
    return make(m, 'tuple', popN(m, code - op.TUPLE1 + 1, at), at);
  }
  const kind = FROM_MARK.get(code);
  if (!kind) return undefined;
  const items = m.popMark(at);
  if (kind === 'dict' && items.length % 2 !== 0) {
    m.problem('pickle-odd-dict', 'DICT gets an odd number of items.', at);
  }
  return make(m, kind, items, at);
}

function mutate(m: Machine, code: number, at: number, next: number): number {
  if (code === op.APPEND || code === op.SETITEM) {
    const size = code === op.APPEND ? 2 : 3;
    if (m.stack.length - m.fence < size) {
      m.problem('pickle-stack-underflow', 'An opcode pops more values than the stack holds.', at);
      m.stack.length = m.fence;
      return next;
    }
    extend(m, m.stack.length - size + 1, code === op.SETITEM, at);
    return next;
  }
  const mark = m.marks.pop();
  if (mark === undefined) {
    m.problem('pickle-missing-mark', 'An opcode needs a MARK that was never pushed.', at);
    return next;
  }
  m.fence = m.marks[m.marks.length - 1] ?? 0;
  extend(m, mark, code === op.SETITEMS, at);
  return next;
}

function callOp(m: Machine, w: Reader, pos: number, code: number): number {
  const at = w.base + pos;
  switch (code) {
    case op.REDUCE:
    case op.NEWOBJ: {
      const args = m.pop(at);
      const fn = m.pop(at);
      use(args);
      m.push(invoke(m, fn, args, code === op.REDUCE ? 'reduce' : 'newobj', at), at);
      break;
    }
    case op.NEWOBJ_EX: {
      m.pop(at);
      const args = m.pop(at);
      const cls = m.pop(at);
      m.push(invoke(m, cls, args, 'newobj_ex', at), at);
      break;
    }
    case op.OBJ: {
      const [cls = UNKNOWN, ...args] = m.popMark(at);
      m.push(invoke(m, cls, make(m, 'tuple', args, at), 'obj', at), at);
      break;
    }
    case op.BUILD: {
      const wrapper = build(m, at);
      if (wrapper) return startArray(m, w, pos + 1, wrapper, at);
      break;
    }
    case op.STACK_GLOBAL:
      m.push(stackGlobal(m, at), at);
      break;
    case op.BINPERSID:
      m.push({ kind: 'persid', pid: m.pop(at) }, at);
      break;
    case op.NEXT_BUFFER:
      m.push(BUFFER, at);
      break;
    case op.READONLY_BUFFER:
      m.top(at);
      break;
  }
  return pos + 1;
}
