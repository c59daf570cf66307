/**
 * The simulated unpickler: a real stack, mark stack and memo driven by one opcode loop over
 * the reader's window. It never imports or calls anything; it records what the unpickler
 * would import and call. The loop is synchronous and returns to the async driver only when it
 * needs more bytes or wants a payload skipped.
 */
import type { ScanLimits } from '../context.js';
import * as op from './opcodes.js';
import { finishPickle, resume, type Frame, type Nested } from './lifecycle.js';
import { bareOp } from './ops-bare.js';
import { lineOp } from './ops-line.js';
import { sizedOp } from './ops-sized.js';
import { readInt32, type Reader } from './reader.js';
import { DONE, FAIL, NEED, STOPPED, type Status } from './status.js';
import { References, type Reporter } from './report.js';
import { FLOAT, FALSE, NONE, TRUE, UNKNOWN, type Call, type Value } from './values.js';

interface MachineOptions {
  readonly limits: ScanLimits;
  readonly reporter: Reporter;
  /** Large payloads can be re-read later, so only a short prefix is kept. */
  readonly seekable: boolean;
  /** Stop at the first problem (content sniffing). */
  readonly sniff?: boolean;
  /** Extra trusted globals (`module.qualname`); they never override a deny. */
  readonly allowGlobals?: ReadonlySet<string>;
}

/** Simulator state; handlers in the ops-* modules work on it directly. */
export class Machine {
  stack: Value[] = [];
  marks: number[] = [];
  /** Index of the innermost mark (0 without one): pops may not go below it. */
  fence = 0;
  memo = new Map<number, Value>();
  proto = 0;
  status: Status = DONE;
  /** NEED: bytes wanted from the window position. SKIP: absolute offset to continue at. */
  need = 0;
  skipTarget = 0;
  halted = false;
  /** Opcodes executed in the current pickle. */
  ops = 0;
  /** Call results popped while memoized, checked for later use when the pickle ends. */
  discarded: Call[] = [];
  /** Nested-loader payloads waiting to be scanned. */
  nested: Nested[] = [];
  /** Outer pickles suspended while an inline pickle (joblib object array) runs. */
  frames: Frame[] = [];
  /** Bytes of the next pending joblib array, after its optional padding byte. */
  pendingArray: { nbytes: number; aligned: boolean } | undefined;
  /** Opcode whose line was too long for the window (its tail is skipped). */
  pendingLine: { op: number; at: number; prefix: Uint8Array } | undefined;
  /** Payload bytes kept in values so far, against a budget. */
  retained = 0;
  readonly refs: References;
  readonly reporter: Reporter;
  readonly limits: ScanLimits;
  readonly seekable: boolean;
  readonly sniff: boolean;
  readonly allowGlobals: ReadonlySet<string> | undefined;
  readonly #maxStack: number;
  readonly #problems = new Set<string>();
  readonly #once = new Set<string>();

  constructor(options: MachineOptions) {
    this.reporter = options.reporter;
    this.limits = options.limits;
    this.#maxStack = options.limits.maxPickleStack;
    this.seekable = options.seekable;
    this.sniff = options.sniff ?? false;
    this.allowGlobals = options.allowGlobals;
    this.refs = new References(this.reporter);
  }

  /** Resets per-pickle state for a new pickle. */
  begin(): void {
    this.stack = [];
    this.marks = [];
    this.fence = 0;
    this.memo = new Map();
    this.proto = 0;
    this.ops = 0;
    this.halted = false;
    this.discarded = [];
    this.frames = [];
    this.pendingArray = undefined;
    this.pendingLine = undefined;
  }

  /** Reports what only the end of a pickle can tell (unused results, uncalled globals). */
  finish(): void {
    finishPickle(this);
  }

  /** Reports each problem code once per scan; fatal problems (and any in sniff mode) halt. */
  problem(code: string, message: string, at: number, fatal = false): void {
    if (!this.#problems.has(code)) {
      this.#problems.add(code);
      this.reporter.problem(code, message, at);
    }
    if (fatal || this.sniff) this.halted = true;
  }

  /** Reports an RS108 resource-exhaustion finding once per scan. */
  exhausted(key: string, message: string, at: number): void {
    if (this.#once.has(key)) return;
    this.#once.add(key);
    this.reporter.finding({ rule: 'RS108', message, offset: at, check: `pickle.${key}` });
  }

  /** Pushes `value`; false (and halted) when the stack limit is reached. */
  push(value: Value, at: number): boolean {
    if (this.stack.length >= this.#maxStack) {
      this.exhausted(
        'stack',
        `The pickle stack grows past ${this.limits.maxPickleStack} entries.`,
        at,
      );
      this.halted = true;
      return false;
    }
    this.stack.push(value);
    return true;
  }

  /** Pops one value above the innermost mark, or reports an underflow. */
  pop(at: number): Value {
    if (this.stack.length > this.fence) return this.stack.pop() ?? UNKNOWN;
    this.problem('pickle-stack-underflow', 'An opcode pops more values than the stack holds.', at);
    return UNKNOWN;
  }

  /** The value on top of the stack (above the innermost mark). */
  top(at: number): Value {
    if (this.stack.length > this.fence) return this.stack[this.stack.length - 1] ?? UNKNOWN;
    this.problem('pickle-stack-underflow', 'An opcode reads an empty stack.', at);
    return UNKNOWN;
  }

  /** Pops everything above the innermost mark and the mark itself. */
  popMark(at: number): Value[] {
    const mark = this.marks.pop();
    if (mark === undefined) {
      this.problem('pickle-missing-mark', 'An opcode needs a MARK that was never pushed.', at);
      return [];
    }
    this.fence = this.marks[this.marks.length - 1] ?? 0;
    return this.stack.splice(mark);
  }

  /** Runs opcodes from `w.pos` until the pickle stops or the driver must act. */
  run(w: Reader): Status {
    if ((this.pendingArray || this.pendingLine) && resume(this, w) === STOPPED) return this.status;
    const buf = w.buf;
    const end = w.end;
    let pos = w.pos;
    while (pos < end) {
      if (this.halted) return this.#fail(w, pos);
      const code = buf[pos] ?? 0;
      const need = op.NEED[code] ?? 0;
      if (need === 0) return this.#invalid(w, pos, code);
      if (pos + need > end) return this.#needMore(w, pos, need);
      this.ops++;
      // The hottest opcodes are handled inline; the rest go to the ops-* modules.
      switch (code) {
        case op.BINFLOAT:
          if (!this.push(FLOAT, w.base + pos)) return this.#fail(w, pos);
          pos += 9;
          continue;
        case op.BININT1:
          if (!this.push(buf[pos + 1] ?? 0, w.base + pos)) return this.#fail(w, pos);
          pos += 2;
          continue;
        case op.BININT2:
          if (!this.push((buf[pos + 1] ?? 0) | ((buf[pos + 2] ?? 0) << 8), w.base + pos)) {
            return this.#fail(w, pos);
          }
          pos += 3;
          continue;
        case op.BININT:
          if (!this.push(readInt32(buf, pos + 1), w.base + pos)) return this.#fail(w, pos);
          pos += 5;
          continue;
        case op.NONE:
        case op.NEWTRUE:
        case op.NEWFALSE: {
          const value = code === op.NONE ? NONE : code === op.NEWTRUE ? TRUE : FALSE;
          if (!this.push(value, w.base + pos)) return this.#fail(w, pos);
          pos += 1;
          continue;
        }
        case op.MARK:
          if (this.marks.length >= this.limits.maxPickleStack) {
            const max = this.limits.maxPickleStack;
            this.exhausted('marks', `The pickle opens more than ${max} marks.`, w.base + pos);
            return this.#fail(w, pos);
          }
          this.fence = this.stack.length;
          this.marks.push(this.fence);
          pos += 1;
          continue;
        case op.BINPUT:
          this.put(buf[pos + 1] ?? 0, w.base + pos);
          pos += 2;
          continue;
        case op.MEMOIZE:
          this.put(this.memo.size, w.base + pos);
          pos += 1;
          continue;
        case op.BINGET:
          this.get(buf[pos + 1] ?? 0, w.base + pos);
          pos += 2;
          continue;
      }
      const next =
        need === 2 && op.isLineOp(code)
          ? lineOp(this, w, pos, code)
          : need > 1
            ? sizedOp(this, w, pos, code)
            : bareOp(this, w, pos, code);
      if (next === STOPPED) return this.status;
      pos = next;
    }
    return this.#needMore(w, pos, 1);
  }

  /** PUT/BINPUT/LONG_BINPUT/MEMOIZE: stores the top of the stack. */
  put(index: number, at: number): void {
    const value = this.top(at);
    if (this.memo.size >= this.limits.maxPickleMemo && !this.memo.has(index)) {
      this.exhausted(
        'memo',
        `The pickle memo grows past ${this.limits.maxPickleMemo} entries.`,
        at,
      );
      return;
    }
    if (index > this.limits.maxPickleMemo * 4) {
      this.exhausted('memo-index', `A memo index of ${index} forces a huge memo table.`, at);
    }
    if (typeof value !== 'number' && value.kind === 'call') value.memo = true;
    this.memo.set(index, value);
  }

  /** GET/BINGET/LONG_BINGET: pushes a memoized value. */
  get(index: number, at: number): void {
    const value = this.memo.get(index);
    if (value === undefined) {
      this.problem(
        'pickle-memo-missing',
        `A GET reads memo entry ${index}, which was never stored (the unpickler raises KeyError).`,
        at,
      );
      this.push(UNKNOWN, at);
      return;
    }
    if (typeof value !== 'number' && value.kind === 'call') value.used = true;
    this.push(value, at);
  }

  /** Asks the driver for `need` bytes from `pos`, or fails at the end of the source. */
  #needMore(w: Reader, pos: number, need: number): Status {
    w.pos = pos;
    if (w.eof) {
      this.problem(
        'pickle-truncated',
        'The pickle ends before its STOP opcode (truncated or not a pickle).',
        w.base + pos,
        true,
      );
      return (this.status = FAIL);
    }
    this.need = need;
    return (this.status = NEED);
  }

  #invalid(w: Reader, pos: number, code: number): Status {
    this.problem(
      'pickle-invalid-opcode',
      `Byte ${op.opName(code)} is not a pickle opcode; the unpickler stops here.`,
      w.base + pos,
      true,
    );
    return this.#fail(w, pos);
  }

  #fail(w: Reader, pos: number): Status {
    w.pos = pos;
    return (this.status = FAIL);
  }
}
