/**
 * What the unpickler would import and call: global resolution (`find_class`), REDUCE/OBJ/INST
 * calls, NEWOBJ instantiation and BUILD, each checked against the policy. A denied callable
 * that runs is RS101 (RS105 for nested loaders), an unknown one RS103; an unknown class only
 * instantiated is left to the end-of-pickle RS104.
 */
import type { Machine } from './machine.js';
import { CALLS_FIRST_ARGUMENT, classify, fixImports, type Verdict } from './policy/index.js';
import { render } from './render.js';
import {
  UNKNOWN,
  itemsOf,
  pathOf,
  stringOf,
  textOf,
  type Call,
  type CallHow,
  type Global,
  type Text,
  type Value,
} from './values.js';

const verdicts = new Map<string, Verdict>();
const USER_ALLOWED: Verdict = Object.freeze({ level: 'allow' });

/** Resolves `module`/`name` as `find_class` would for the current protocol and records it. */
export function resolveGlobal(m: Machine, module: string, name: string, at: number): Global {
  const key = `${m.proto < 3 ? 2 : 3}\u0000${module}\u0000${name}`;
  let verdict = verdicts.get(key);
  if (!verdict) {
    if (verdicts.size > 50_000) verdicts.clear();
    verdict = classify(module, name, m.proto);
    verdicts.set(key, verdict);
  }
  if (verdict.level === 'unknown' && m.allowGlobals?.has(`${module}.${name}`) === true) {
    verdict = USER_ALLOWED;
  }
  const global: Global = { kind: 'global', module, name, verdict, offset: at };
  m.refs.add(global);
  return global;
}

/** STACK_GLOBAL: module and name come from the stack and must both be strings. */
export function stackGlobal(m: Machine, at: number): Global {
  const name = m.pop(at);
  const module = m.pop(at);
  const moduleText = stringOf(module);
  const nameText = stringOf(name);
  if (moduleText !== undefined && nameText !== undefined) {
    return resolveGlobal(m, moduleText, nameText, at);
  }
  const global: Global = {
    kind: 'global',
    module: moduleText ?? '?',
    name: nameText ?? '?',
    verdict: { level: 'unknown' },
    offset: at,
  };
  m.reporter.finding({
    rule: 'RS103',
    message:
      'STACK_GLOBAL gets an operand that is not a resolvable string (memo or type confusion); the callable cannot be named, so it is treated as unknown.',
    offset: at,
    callable: pathOf(global),
    evidence: `STACK_GLOBAL(${render(module)}, ${render(name)})`,
  });
  return global;
}

/** EXT1/EXT2/EXT4: a callable from the copyreg extension registry, always reported. */
export function extension(m: Machine, code: number, at: number): Global {
  const global: Global = {
    kind: 'global',
    module: 'copyreg',
    name: `_extension_registry[${code}]`,
    verdict: { level: 'unknown' },
    offset: at,
    ext: code,
  };
  m.reporter.finding({
    rule: 'RS106',
    message: `The pickle resolves a callable through copyreg extension code ${code}, which hides its name.`,
    offset: at,
    callable: pathOf(global),
    evidence: pathOf(global),
  });
  return global;
}

/**
 * The global a value calls when invoked, looking through getattr/`__import__` results and
 * legacy torch's `('module', cls, file, source)` persistent ids, which load as `cls`.
 */
function callableOf(value: Value, depth = 0): Global | undefined {
  if (typeof value === 'number' || depth > 8) return undefined;
  if (value.kind === 'global') return value;
  if (value.kind === 'call' && value.derived !== undefined) {
    return callableOf(value.derived, depth + 1);
  }
  if (value.kind === 'persid') {
    const [tag, cls] = itemsOf(value.pid);
    if (tag !== undefined && stringOf(tag) === 'module' && cls !== undefined) {
      return callableOf(cls, depth + 1);
    }
  }
  return undefined;
}

/** Reports a call of `target` (or of a computed value when target is undefined). */
function reportCall(m: Machine, target: Global | undefined, call: Call, at: number): void {
  const evidence = render(call);
  if (!target) {
    const what = call.fn === UNKNOWN ? '?' : '<computed>';
    m.reporter.finding({
      rule: 'RS103',
      message:
        'The pickle calls a value it computed (not a named global), so the callable cannot be checked.',
      offset: at,
      callable: what,
      evidence,
    });
    return;
  }
  const callable = pathOf(target);
  const { verdict } = target;
  if (verdict.level === 'deny') {
    m.refs.reported(target);
    const rule =
      verdict.loader === true && call.how !== 'newobj' && call.how !== 'newobj_ex'
        ? 'RS105'
        : 'RS101';
    m.reporter.finding({
      rule,
      message:
        rule === 'RS105'
          ? `The pickle calls the nested deserialiser ${callable} (${verdict.reason ?? 'denied'}); its payload is scanned too.`
          : `The pickle calls ${callable}, which ${verdict.reason ?? 'is denied'}.`,
      offset: at,
      callable,
      evidence,
    });
    if (rule === 'RS105') queueNested(m, call.args, at);
  } else if (verdict.level === 'unknown' && (target.ext !== undefined || !isNew(call.how))) {
    m.refs.reported(target);
    m.reporter.finding({
      rule: 'RS103',
      message: `The pickle calls ${callable}, which is not on the allowlist.`,
      offset: at,
      callable,
      evidence,
    });
  }
}

/** `module.name` after the Python 2 renames, so `__builtin__.getattr` is `builtins.getattr`. */
function canonical(global: Global): string {
  const [module, name] = fixImports(global.module, global.name);
  return name === '' ? module : `${module}.${name}`;
}

function isNew(how: CallHow): boolean {
  return how === 'newobj' || how === 'newobj_ex';
}

/** REDUCE, OBJ, INST, NEWOBJ and NEWOBJ_EX: records and checks a call, returns its result. */
export function invoke(m: Machine, fn: Value, args: Value, how: CallHow, at: number): Call {
  const target = callableOf(fn);
  const derived = target ? derive(m, target, args, at) : undefined;
  const call: Call = { kind: 'call', fn, args, how, offset: at, ...(derived ? { derived } : {}) };
  reportCall(m, target, call, at);
  if (target?.verdict.level === 'allow' && !isNew(how))
    allowedSemantics(m, canonical(target), args, at);
  return call;
}

/** Values the call produces that matter later: getattr/import results and encoded bytes. */
function derive(m: Machine, target: Global, args: Value, at: number): Value | undefined {
  const path = canonical(target);
  const [first, second] = itemsOf(args);
  if (path === 'builtins.getattr') {
    const owner = first === undefined ? undefined : callableOf(first);
    const attr = second === undefined ? undefined : stringOf(second);
    if (!owner || attr === undefined) return undefined;
    return resolveGlobal(m, owner.module, owner.name === '' ? attr : `${owner.name}.${attr}`, at);
  }
  if (path === 'builtins.__import__' || path === 'importlib.import_module') {
    const module = first === undefined ? undefined : stringOf(first);
    return module === undefined ? undefined : resolveGlobal(m, module, '', at);
  }
  if (
    path === '_codecs.encode' &&
    first !== undefined &&
    typeof first !== 'number' &&
    first.kind === 'str'
  ) {
    return encodeLatin1(first);
  }
  return undefined;
}

function encodeLatin1(value: Text): Text {
  const text = textOf(value);
  const raw = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) raw[i] = text.charCodeAt(i) & 0xff;
  const whole = value.raw.length === value.size;
  return {
    kind: 'bytes',
    raw,
    size: whole ? raw.length : value.size,
    offset: -1,
    encoding: 'latin1',
  };
}

/** Allowlisted helpers that construct or call what their arguments name. */
function allowedSemantics(m: Machine, path: string, args: Value, at: number): void {
  const items = itemsOf(args);
  const [first, second] = items;
  if (first === undefined) return;
  if (path === 'copyreg._reconstructor') {
    invoke(m, first, { kind: 'tuple', n: 0, weight: 1, items: [] }, 'newobj', at);
    const base = second === undefined ? undefined : callableOf(second);
    if (base && base.verdict.level !== 'allow') invoke(m, base, UNKNOWN, 'reduce', at);
  } else if (path === 'copyreg.__newobj__' || path === 'copyreg.__newobj_ex__') {
    invoke(m, first, UNKNOWN, 'newobj', at);
  } else if (CALLS_FIRST_ARGUMENT.has(path)) {
    invoke(m, first, items[2] ?? UNKNOWN, 'reduce', at);
  }
}

/** Queues the bytes or string a nested loader receives for a recursive scan. */
function queueNested(m: Machine, args: Value, at: number): void {
  const payload = payloadOf(args, 0);
  if (payload && payload.size > 0 && m.nested.length < 64) m.nested.push({ payload, at });
}

function payloadOf(args: Value, depth: number): Text | undefined {
  const items = itemsOf(args);
  const texts = items.filter(
    (item): item is Text =>
      typeof item !== 'number' && (item.kind === 'bytes' || item.kind === 'str'),
  );
  const found = texts.find((t) => t.kind === 'bytes') ?? texts[0];
  if (found || depth > 2) return found;
  for (const item of items) {
    if (typeof item === 'number' || item.kind !== 'call') continue;
    const inner =
      item.derived !== undefined &&
      typeof item.derived !== 'number' &&
      item.derived.kind === 'bytes'
        ? item.derived
        : payloadOf(item.args, depth + 1);
    if (inner) return inner;
  }
  return undefined;
}

const JOBLIB_WRAPPERS = new Set([
  'joblib.numpy_pickle.NumpyArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
]);

/** BUILD: applies state to the object on top; returns it when it is a joblib array wrapper. */
export function build(m: Machine, at: number): Call | undefined {
  const state = m.pop(at);
  const target = m.top(at);
  if (typeof target === 'number') return undefined;
  if (target.kind === 'global') {
    const callable = pathOf(target);
    m.refs.reported(target);
    m.reporter.finding({
      rule: target.verdict.level === 'deny' ? 'RS101' : 'RS103',
      message: `BUILD sets attributes on ${callable} itself (a module, class or function), which changes what later references to it run.`,
      offset: at,
      callable,
      evidence: `${callable}.__setstate__(${render(state)})`,
    });
    return undefined;
  }
  if (target.kind !== 'call') return undefined;
  target.state = state;
  const cls = callableOf(target.fn);
  const path = cls ? pathOf(cls) : '';
  return JOBLIB_WRAPPERS.has(path) && isNew(target.how) ? target : undefined;
}
