/**
 * TensorFlow SavedModel (`saved_model.pb`) and frozen GraphDef files, decoded at the wire level
 * without TensorFlow: every node of every MetaGraph's graph and of every library function is
 * checked against the ops that read or write files, make network calls or run Python (RS306).
 * Checkpoint ops are allowed only inside the saver that the MetaGraph's SaverDef names.
 */
import type { FormatScanner, ScanContext } from '../context.js';
import { Cursor } from './cursor.js';
import { LEN, protoProblem, ProtoReader, type Field } from './protobuf.js';
import { CHECKPOINT_OPS, DANGEROUS_OPS, PRINT_TO_FILE, type OpRisk } from './tf-ops.js';

const MAX_RECORDS = 100_000;

interface Risky {
  readonly op: string;
  readonly name: string;
  readonly risk: OpRisk;
  readonly checkpoint: boolean;
}

interface Scope {
  readonly risky: Risky[];
  /** Risky ops met after `risky` was full: reported without the saver allowance. */
  readonly overflow: Map<string, OpRisk>;
  readonly calls: Set<string>;
}

interface MetaGraph {
  readonly top: Scope;
  readonly functions: Map<string, Scope>;
  readonly nodeCalls: Map<string, string[]>;
  readonly saver: string[];
}

/** Checks the ops of a SavedModel or frozen graph. */
export const scanSavedModel: FormatScanner = async (source, context) => {
  const reader = new ProtoReader(new Cursor(source));
  const metas: MetaGraph[] = [];
  try {
    const first = await reader.cursor.peek(1);
    // A GraphDef starts with its nodes (field 1); a SavedModel with its version or meta graphs.
    if (first[0] === 0x0a) {
      const meta = newMetaGraph(metas);
      await reader.message(source.size, (f) => graphDef(reader, meta, f));
    } else {
      await reader.message(source.size, (f) =>
        f.number === 2 && f.wire === LEN ? metaGraph(reader, newMetaGraph(metas), f) : undefined,
      );
    }
  } catch (error) {
    protoProblem(context, 'savedmodel', error);
  } finally {
    for (const meta of metas) report(context, meta);
  }
};

function newMetaGraph(metas: MetaGraph[]): MetaGraph {
  const meta: MetaGraph = {
    top: newScope(),
    functions: new Map(),
    nodeCalls: new Map(),
    saver: [],
  };
  metas.push(meta);
  return meta;
}

function newScope(): Scope {
  return { risky: [], overflow: new Map(), calls: new Set() };
}

function metaGraph(reader: ProtoReader, meta: MetaGraph, field: Field): Promise<void> {
  return reader.nested(field, (f) => {
    if (f.wire !== LEN) return undefined;
    if (f.number === 2) return reader.nested(f, (g) => graphDef(reader, meta, g));
    if (f.number === 3) {
      return reader.nested(f, (s) =>
        s.number <= 3 && s.wire === LEN
          ? reader.text(s).then((name) => void meta.saver.push(name.replace(/:\d+$/, '')))
          : undefined,
      );
    }
    return undefined;
  });
}

function graphDef(reader: ProtoReader, meta: MetaGraph, field: Field): Promise<void> | undefined {
  if (field.wire !== LEN) return undefined;
  if (field.number === 1) return nodeDef(reader, meta, meta.top, field);
  if (field.number === 2) {
    return reader.nested(field, (f) =>
      f.number === 1 && f.wire === LEN ? functionDef(reader, meta, f) : undefined,
    );
  }
  return undefined;
}

async function functionDef(reader: ProtoReader, meta: MetaGraph, field: Field): Promise<void> {
  const scope = newScope();
  let name = '';
  await reader.nested(field, (f) => {
    if (f.wire !== LEN) return undefined;
    if (f.number === 1) {
      return reader.nested(f, (s) =>
        s.number === 1 && s.wire === LEN ? reader.text(s).then((t) => void (name = t)) : undefined,
      );
    }
    if (f.number === 3) return nodeDef(reader, meta, scope, f);
    return undefined;
  });
  if (meta.functions.size < MAX_RECORDS || scope.risky.length > 0 || scope.overflow.size > 0) {
    meta.functions.set(name, scope);
  }
}

async function nodeDef(
  reader: ProtoReader,
  meta: MetaGraph,
  scope: Scope,
  field: Field,
): Promise<void> {
  let name = '';
  let op = '';
  const calls: string[] = [];
  const strings = new Map<string, string>();
  await reader.nested(field, (f) => {
    if (f.wire !== LEN) return undefined;
    if (f.number === 1) return reader.text(f).then((t) => void (name = t));
    if (f.number === 2) return reader.text(f).then((t) => void (op = t));
    if (f.number === 5) return attr(reader, f, calls, strings);
    return undefined;
  });
  const outputStream = strings.get('output_stream') ?? '';
  const risk =
    DANGEROUS_OPS.get(op) ??
    CHECKPOINT_OPS.get(op) ??
    (op === 'PrintV2' && outputStream.startsWith('file://') ? PRINT_TO_FILE : undefined);
  if (risk !== undefined && scope.risky.length < MAX_RECORDS) {
    scope.risky.push({ op, name, risk, checkpoint: CHECKPOINT_OPS.has(op) });
  } else if (risk !== undefined) {
    scope.overflow.set(op, risk);
  }
  for (const call of calls) scope.calls.add(call);
  if (scope === meta.top && calls.length > 0 && meta.nodeCalls.size < MAX_RECORDS) {
    meta.nodeCalls.set(name, calls);
  }
}

// One attr map entry: functions it names (func, list.func) and its string value.
async function attr(
  reader: ProtoReader,
  field: Field,
  calls: string[],
  strings: Map<string, string>,
): Promise<void> {
  let key = '';
  let text: string | undefined;
  const nameOf = (f: Field): Promise<void> =>
    reader.nested(f, (n) =>
      n.number === 1 && n.wire === LEN ? reader.text(n).then((t) => void calls.push(t)) : undefined,
    );
  await reader.nested(field, (f) => {
    if (f.wire !== LEN) return undefined;
    if (f.number === 1) return reader.text(f).then((t) => void (key = t));
    if (f.number !== 2) return undefined;
    return reader.nested(f, (v) => {
      if (v.wire !== LEN) return undefined;
      if (v.number === 10) return nameOf(v);
      if (v.number === 2) return reader.text(v).then((t) => void (text = t));
      if (v.number === 1) {
        return reader.nested(v, (l) => (l.number === 9 && l.wire === LEN ? nameOf(l) : undefined));
      }
      return undefined;
    });
  });
  if (text !== undefined) strings.set(key, text);
}

function report(context: ScanContext, meta: MetaGraph): void {
  const scopes = new Set(
    meta.saver.filter((n) => n.includes('/')).map((n) => n.slice(0, n.lastIndexOf('/') + 1)),
  );
  const saverFunctions = closure(
    meta,
    meta.saver.flatMap((n) => meta.nodeCalls.get(n) ?? []),
  );
  const byOp = new Map<string, { risk: OpRisk; where: string[] }>();
  const add = (risky: Risky, where: string): void => {
    const entry = byOp.get(risky.op) ?? { risk: risky.risk, where: [] };
    byOp.set(risky.op, entry);
    entry.where.push(where);
  };
  for (const risky of meta.top.risky) {
    if (risky.checkpoint && [...scopes].some((s) => risky.name.startsWith(s))) continue;
    add(risky, risky.name);
  }
  for (const [fn, scope] of meta.functions) {
    for (const risky of scope.risky) {
      if (risky.checkpoint && saverFunctions.has(fn)) continue;
      add(risky, `${fn}/${risky.name}`);
    }
  }
  for (const scope of [meta.top, ...meta.functions.values()]) {
    for (const [op, risk] of scope.overflow) add({ op, name: '', risk, checkpoint: false }, '…');
  }
  for (const [op, { risk, where }] of byOp) {
    context.finding({
      rule: 'RS306',
      severity: risk.severity,
      message: `the graph uses ${op}, which ${risk.why}`,
      callable: op,
      evidence: `${where.length} node(s): ${where.slice(0, 3).join(', ')}${where.length > 3 ? ', …' : ''}`,
    });
  }
}

// Functions reachable from `roots` through function-valued attrs.
function closure(meta: MetaGraph, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop() ?? '';
    if (seen.has(name)) continue;
    seen.add(name);
    for (const call of meta.functions.get(name)?.calls ?? []) queue.push(call);
  }
  return seen;
}
