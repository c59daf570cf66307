/**
 * ONNX (onnx/onnx.proto): walks the model, its graph, every subgraph in node attributes
 * (If/Loop/Scan), training graphs and model-local functions. External-data paths must stay
 * inside the model folder (RS307); operators from custom domains need native code (RS308).
 * Tensor payloads are skipped, never read.
 */
import type { FormatScanner, ScanContext } from '../context.js';
import type { FindingInput } from '../types.js';
import { Cursor } from './cursor.js';
import { LEN, protoProblem, ProtoReader, type Field } from './protobuf.js';

// Domains every ONNX runtime implements without extra libraries.
const STANDARD_DOMAINS = new Set([
  '',
  'ai.onnx',
  'ai.onnx.ml',
  'ai.onnx.training',
  'ai.onnx.preview.training',
  'com.microsoft',
  'com.microsoft.nchwc',
  'com.microsoft.experimental',
]);
const MAX_DOMAINS = 1_000;
const MAX_OPS = 50;
const MAX_PATH = 65_536;

interface Uses {
  readonly ops: Set<string>;
  readonly nodes: string[];
}

class Walk {
  readonly customNodes = new Map<string, Uses>();
  readonly opsetDomains = new Set<string>();
  readonly functions = new Set<string>();
  readonly functionDomains = new Set<string>();
  constructor(
    readonly reader: ProtoReader,
    readonly context: ScanContext,
  ) {}
}

/** Checks an ONNX model's external-data paths and operator domains. */
export const scanOnnx: FormatScanner = async (source, context) => {
  const walk = new Walk(new ProtoReader(new Cursor(source)), context);
  try {
    await walk.reader.message(source.size, (field) => model(walk, field));
  } catch (error) {
    protoProblem(context, 'onnx', error);
  } finally {
    for (const finding of domainFindings(walk)) context.finding(finding);
  }
};

function model(walk: Walk, field: Field): Promise<void> | undefined {
  if (field.wire !== LEN) return undefined;
  if (field.number === 7) return graph(walk, field);
  if (field.number === 8) return opset(walk, field, walk.opsetDomains);
  if (field.number === 20) {
    return walk.reader.nested(field, (f) => (f.number <= 2 ? graph(walk, f) : undefined));
  }
  if (field.number === 25) return modelFunction(walk, field);
  return undefined;
}

function opset(walk: Walk, field: Field, domains: Set<string>): Promise<void> {
  return walk.reader.nested(field, (f) =>
    f.number === 1 && f.wire === LEN
      ? walk.reader.text(f).then((domain) => {
          domains.add(domain);
        })
      : undefined,
  );
}

function graph(walk: Walk, field: Field): Promise<void> | undefined {
  if (field.wire !== LEN) return undefined;
  return walk.reader.nested(field, (f) => {
    if (f.wire !== LEN) return undefined;
    if (f.number === 1) return node(walk, f);
    if (f.number === 5) return tensor(walk, f);
    if (f.number === 15) return sparseTensor(walk, f);
    return undefined;
  });
}

async function node(walk: Walk, field: Field): Promise<void> {
  let name = '';
  let op = '';
  let domain = '';
  await walk.reader.nested(field, (f) => {
    if (f.wire !== LEN) return undefined;
    if (f.number === 3) return walk.reader.text(f).then((t) => void (name = t));
    if (f.number === 4) return walk.reader.text(f).then((t) => void (op = t));
    if (f.number === 7) return walk.reader.text(f).then((t) => void (domain = t));
    if (f.number === 5) return attribute(walk, f);
    return undefined;
  });
  if (STANDARD_DOMAINS.has(domain)) return;
  let uses = walk.customNodes.get(domain);
  if (uses === undefined) {
    if (walk.customNodes.size >= MAX_DOMAINS) return;
    uses = { ops: new Set(), nodes: [] };
    walk.customNodes.set(domain, uses);
  }
  if (uses.ops.size < MAX_OPS) uses.ops.add(op);
  if (uses.nodes.length < 3) uses.nodes.push(name);
}

// Tensors (t, tensors), graphs (g, graphs) and sparse tensors held by a node attribute.
function attribute(walk: Walk, field: Field): Promise<void> {
  return walk.reader.nested(field, (f) => {
    if (f.wire !== LEN) return undefined;
    if (f.number === 5 || f.number === 10) return tensor(walk, f);
    if (f.number === 6 || f.number === 11) return graph(walk, f);
    if (f.number === 22 || f.number === 23) return sparseTensor(walk, f);
    return undefined;
  });
}

function sparseTensor(walk: Walk, field: Field): Promise<void> {
  return walk.reader.nested(field, (f) =>
    f.wire === LEN && (f.number === 1 || f.number === 2) ? tensor(walk, f) : undefined,
  );
}

async function tensor(walk: Walk, field: Field): Promise<void> {
  let name = '';
  const entries: Entry[] = [];
  await walk.reader.nested(field, (f) => {
    if (f.number === 8 && f.wire === LEN) return walk.reader.text(f).then((t) => void (name = t));
    if (f.number === 13 && f.wire === LEN) return entry(walk, f, entries);
    return undefined;
  });
  // Loaders disagree on which of several locations wins, so every one is checked.
  for (const location of entries.filter((e) => e.key === 'location')) {
    // A path this long cannot be opened; cut short, it cannot be checked either.
    const reason = location.cut ? 'is too long to check' : unsafeLocation(location.value);
    if (reason === undefined) continue;
    const shown = location.value.length > 200 ? `${location.value.slice(0, 200)}…` : location.value;
    walk.context.finding({
      rule: 'RS307',
      message: `tensor "${name}" reads external data from a path that ${reason}`,
      evidence: `location: ${shown}`,
    });
  }
}

interface Entry {
  key: string;
  value: string;
  cut: boolean;
}

function entry(walk: Walk, field: Field, entries: Entry[]): Promise<void> {
  const pair: Entry = { key: '', value: '', cut: false };
  entries.push(pair);
  return walk.reader.nested(field, (f) => {
    if (f.wire !== LEN) return undefined;
    if (f.number === 1) return walk.reader.text(f).then((t) => void (pair.key = t));
    if (f.number !== 2) return undefined;
    pair.cut = f.length > MAX_PATH;
    return walk.reader.text(f, MAX_PATH).then((t) => void (pair.value = t));
  });
}

/** Why an external-data location escapes the model folder, or undefined when it does not. */
export function unsafeLocation(location: string): string | undefined {
  if (location.includes('\0')) return 'contains a NUL byte';
  if (location.startsWith('/') || location.startsWith('\\')) return 'is absolute';
  if (/^[A-Za-z]:/.test(location)) return 'names a drive';
  if (location.split(/[\\/]/).includes('..')) return 'climbs out of the model folder with ..';
  return undefined;
}

async function modelFunction(walk: Walk, field: Field): Promise<void> {
  let name = '';
  let domain = '';
  await walk.reader.nested(field, (f) => {
    if (f.number === 1 && f.wire === LEN) return walk.reader.text(f).then((t) => void (name = t));
    if (f.number === 10 && f.wire === LEN)
      return walk.reader.text(f).then((t) => void (domain = t));
    if (f.number === 7 && f.wire === LEN) return node(walk, f);
    if (f.number === 9 && f.wire === LEN) return opset(walk, f, walk.opsetDomains);
    if (f.number === 11 && f.wire === LEN) return attribute(walk, f);
    return undefined;
  });
  walk.functions.add(`${domain}\u0000${name}`);
  walk.functionDomains.add(domain);
}

// Nodes that call a function defined in the model run ONNX code, not a native library.
function domainFindings(walk: Walk): FindingInput[] {
  const findings: FindingInput[] = [];
  for (const [domain, uses] of walk.customNodes) {
    const ops = [...uses.ops].filter((op) => !walk.functions.has(`${domain}\u0000${op}`));
    if (ops.length === 0) continue;
    findings.push({
      rule: 'RS308',
      message: `nodes use operators from the custom domain "${domain}", which need a native library to run`,
      callable: `${domain}::${ops[0] ?? ''}`,
      evidence: `ops: ${ops.slice(0, 10).join(', ')}; nodes: ${uses.nodes.join(', ')}`,
    });
  }
  for (const domain of walk.opsetDomains) {
    if (STANDARD_DOMAINS.has(domain) || walk.functionDomains.has(domain)) continue;
    if (walk.customNodes.has(domain)) continue;
    findings.push({
      rule: 'RS308',
      severity: 'low',
      message: `the model imports the custom operator set "${domain}", though no node uses it`,
    });
  }
  return findings;
}
