/**
 * Chat-template injection (CVE-2024-34359): a Jinja template rendered outside a sandbox can walk
 * from any object to Python's internals (`''.__class__.__mro__[1].__subclasses__()`,
 * `cycler.__init__.__globals__.os`). Benign chat templates only loop over messages and read
 * their fields, so any dunder name in code (spelled directly, through escapes, string
 * concatenation, `|attr`, `getattr` or character codes) is a finding. Literal text is ignored.
 */
import { SEVERITIES, type FindingInput, type Severity } from '../types.js';
import { codeRegions, tokenize, type Region, type Token } from './template-lexer.js';

// Attributes that lead from an object to classes, modules, globals or code.
const INTERNALS = new Set(
  `class mro base bases subclasses globals builtins builtin init import getattribute getattr dict
   code closure func self module loader spec reduce reduce_ex getitem call new subclasshook
   init_subclass wrapped objclass`
    .split(/\s+/)
    .map((name) => `__${name}__`),
);
// Ways to reach code, commands, files or the environment once internals are in hand.
const SINK_ATTRIBUTES = new Set(
  `popen system Popen check_output check_call getoutput getstatusoutput environ from_pyfile
   from_envvar import_module load_module exec_module mro f_globals f_locals f_back gi_frame
   cr_frame tb_frame func_globals _module`.split(/\s+/),
);
const SINK_CALLS = new Set(['eval', 'exec', 'execfile', 'compile', 'getattr', 'setattr', 'open']);
const SINK_MODULES = new Set(['os', 'sys', 'subprocess', 'importlib', 'builtins', 'posix', 'nt']);
const LOADING_STATEMENTS = new Set(['include', 'import', 'extends', 'from']);
const DUNDER = /__([\p{L}\p{N}_]+?)__/giu;

interface Marker {
  readonly severity: Severity;
  readonly what: string;
  readonly region: Region;
}

/** RS303 findings for a Jinja template (at most one, naming the worst construct). */
export function checkTemplate(text: string): FindingInput[] {
  const markers: Marker[] = [];
  const strings: string[] = [];
  const regions = codeRegions(text);
  for (const region of regions) {
    const tokens = tokenize(region.text);
    const add = (severity: Severity, what: string): void => {
      markers.push({ severity, what, region });
    };
    checkNames(tokens, region, add);
    for (const value of derivedStrings(tokens)) {
      strings.push(value);
      checkString(value, add);
    }
  }
  // Strings split across `{% set %}` statements still spell a dunder when read in order.
  const spread = dunders(strings.join('')).find((name) => INTERNALS.has(name));
  const last = regions.at(-1);
  if (spread !== undefined && last !== undefined && markers.length === 0) {
    markers.push({ severity: 'critical', what: `${spread} spelled across strings`, region: last });
  }
  return markers.length === 0 ? [] : [summarise(markers)];
}

type Add = (severity: Severity, what: string) => void;

function checkNames(tokens: readonly Token[], region: Region, add: Add): void {
  tokens.forEach((token, i) => {
    if (token.type !== 'name') return;
    const previous = tokens[i - 1];
    const next = tokens[i + 1];
    const attribute = previous?.type === 'op' && previous.value === '.';
    const called = next?.type === 'op' && next.value === '(';
    const name = token.value;
    if (/^__.+__$/.test(name)) {
      add(
        INTERNALS.has(name) ? 'critical' : 'medium',
        `${attribute ? 'attribute' : 'name'} ${name}`,
      );
    } else if (attribute && SINK_ATTRIBUTES.has(name)) {
      add('high', `attribute .${name}`);
    } else if (attribute && /^_[A-Za-z0-9]+__/.test(name)) {
      add('high', `name-mangled private attribute .${name}`);
    } else if (attribute && name.startsWith('_')) {
      add('low', `private attribute .${name} (blocked by Jinja's sandbox)`);
    } else if (!attribute && called && SINK_CALLS.has(name)) {
      add('high', `call to ${name}()`);
    } else if (!attribute && SINK_MODULES.has(name) && next?.value === '.') {
      add('high', `module ${name}`);
    } else if (name === 'attr' && previous?.value === '|') {
      add('high', 'dynamic attribute lookup with |attr');
    }
  });
  const first = tokens[0];
  if (
    region.kind === 'statement' &&
    first?.type === 'name' &&
    LOADING_STATEMENTS.has(first.value)
  ) {
    add('medium', `{% ${first.value} %} loads another template through the renderer's loader`);
  }
}

function checkString(value: string, add: Add): void {
  for (const name of dunders(value)) {
    add(INTERNALS.has(name) ? 'critical' : 'low', `string spelling ${name}`);
  }
  // Reversed (|reverse), a string only counts when it spells an internal.
  for (const name of dunders(Array.from(value).reverse().join(''))) {
    if (INTERNALS.has(name)) add('critical', `reversed string spelling ${name}`);
  }
}

function dunders(text: string): string[] {
  return [...text.normalize('NFKC').matchAll(DUNDER)].map(
    (m) => `__${(m[1] ?? '').toLowerCase()}__`,
  );
}

// The strings a region can build from literals: each literal, concatenations (`~`, `+`,
// adjacency, list items for `|join`), `|replace`, `%`/`format` with literal arguments
// (including `%c` and `{:c}` character codes) and runs of `chr(…)` codes.
function derivedStrings(tokens: readonly Token[]): string[] {
  const out = tokens.filter((t) => t.type === 'string').map((t) => t.value);
  for (const value of concatenations(tokens)) out.push(value);
  const literals = tokens.filter((t) => t.type === 'string' || t.type === 'number');
  let literal = 0;
  tokens.forEach((token, i) => {
    if (token.type === 'number') literal++;
    if (token.type !== 'string') return;
    literal++;
    const replaced = replaceFilter(token.value, tokens.slice(i + 1, i + 7));
    if (replaced !== undefined) out.push(replaced);
    if (PLACEHOLDER.test(token.value)) {
      out.push(formatted(token.value, literals.slice(literal, literal + MAX_ARGUMENTS)));
    }
  });
  return out;
}

function concatenations(tokens: readonly Token[]): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const flush = (): void => {
    if (run.length > 1) out.push(run.join(''));
    run = [];
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const code = tokens[i + 2];
    if (token?.type === 'string') {
      run.push(token.value);
    } else if (token?.value === 'chr' && tokens[i + 1]?.value === '(' && code?.type === 'number') {
      run.push(character(code.value));
      i += 2;
    } else if (token?.type !== 'op' || !JOINERS.has(token.value)) {
      flush();
    }
  }
  flush();
  return out;
}

const JOINERS = new Set(['~', '+', ',', '(', ')', '[', ']']);
const MAX_ARGUMENTS = 32;
const PLACEHOLDER = /%[sc]|\{\d*(:c)?\}/;

// 'x'|replace('a', 'b') and 'x'.replace('a', 'b') with literal arguments.
function replaceFilter(value: string, after: readonly Token[]): string | undefined {
  const [sep, name, open, from, comma, to] = after;
  if (sep?.value !== '|' && sep?.value !== '.') return undefined;
  if (name?.value !== 'replace' || open?.value !== '(' || comma?.value !== ',') return undefined;
  if (from?.type !== 'string' || to?.type !== 'string' || from.value === '') return undefined;
  return value.split(from.value).join(to.value);
}

function formatted(template: string, args: readonly Token[]): string {
  let next = 0;
  return template.replace(new RegExp(PLACEHOLDER, 'g'), (placeholder) => {
    const arg = args[next++];
    if (arg === undefined) return '';
    return placeholder === '%c' || placeholder.endsWith(':c}') ? character(arg.value) : arg.value;
  });
}

function character(code: string): string {
  const value = Number(code);
  return Number.isInteger(value) && value > 0 && value <= 0x10ffff
    ? String.fromCodePoint(value)
    : '';
}

function summarise(markers: readonly Marker[]): FindingInput {
  const worst = markers.reduce((a, b) =>
    SEVERITIES.indexOf(b.severity) > SEVERITIES.indexOf(a.severity) ? b : a,
  );
  const whats = [...new Set(markers.map((m) => m.what))];
  const shown = whats.slice(0, 6).join(', ') + (whats.length > 6 ? ', …' : '');
  const message =
    worst.severity === 'critical' || worst.severity === 'high'
      ? `the template reaches Python internals or system calls from Jinja code (${shown})`
      : `the template uses constructs a chat template does not need (${shown})`;
  return {
    rule: 'RS303',
    severity: worst.severity,
    message,
    evidence: snippet(worst.region),
  };
}

function snippet(region: Region): string {
  const [open, close] = region.kind === 'expression' ? ['{{', '}}'] : ['{%', '%}'];
  const text = region.text.replace(/\s+/g, ' ').trim();
  const cut = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return `${open} ${cut} ${close}`;
}
