import { isoNow } from './clock.js';

/** Severity levels, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured fields attached to a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** The operational logger every module receives by injection (never a global). */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every line. */
  child(bindings: LogFields): Logger;
}

/** How to build a logger. */
export interface LoggerOptions {
  readonly level: LogLevel;
  /** `json`: one JSON object per line; `text`: `time level message k=v` for people. */
  readonly format: 'json' | 'text';
  /** Receives each finished line (with its newline), e.g. a write to stderr. */
  readonly sink: (line: string) => void;
  /** Clock, injectable for tests. */
  readonly now?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Field names whose values are secrets; they are replaced before anything is written.
const SECRET_FIELD = /token|secret|password|passphrase|authorization|cookie|api[-_]?key|private/i;
const RESERVED = new Set(['time', 'level', 'msg']);
const EMPTY: LogFields = {};
// Value types JSON writes as they are (null aside, which is an object to typeof).
const FLAT = new Set(['string', 'number', 'boolean', 'undefined']);

/** Creates a structured logger; secret-looking fields are redacted. */
export function createLogger(options: LoggerOptions, bindings: LogFields = {}): Logger {
  const { now } = options;
  // The bindings' JSON, written once, when they are flat and need no redaction.
  const bindingsJson = flatJson(bindings, EMPTY);
  const write = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    if (RANK[level] < RANK[options.level]) return;
    const time = now === undefined ? isoNow() : now().toISOString();
    if (options.format === 'json') {
      // Servers log a line per request: flat fields (the usual case) are written as they are.
      const fieldsJson = bindingsJson === null ? null : flatJson(fields, bindings);
      if (fieldsJson !== null) {
        const head = `{"time":"${time}","level":"${level}","msg":${JSON.stringify(message)}`;
        options.sink(`${head}${bindingsJson ?? ''}${fieldsJson}}\n`);
        return;
      }
      const line: Record<string, unknown> = { time, level, msg: message };
      addFields(line, bindings);
      addFields(line, fields);
      options.sink(`${JSON.stringify(line)}\n`);
      return;
    }
    const record = redact({ ...bindings, ...fields });
    options.sink(`${time} ${level.toUpperCase()} ${message}${formatText(record)}\n`);
  };
  return {
    debug: (message, fields) => {
      write('debug', message, fields);
    },
    info: (message, fields) => {
      write('info', message, fields);
    },
    warn: (message, fields) => {
      write('warn', message, fields);
    },
    error: (message, fields) => {
      write('error', message, fields);
    },
    child: (more) => createLogger(options, { ...bindings, ...more }),
  };
}

/** A logger that discards everything (for tests and library callers that want silence). */
export const silentLogger: Logger = createLogger({
  level: 'error',
  format: 'json',
  sink: () => undefined,
});

/**
 * `fields` as JSON members (`,"a":1,"b":"x"`, or '' for none) when writing them unchanged gives
 * the line {@link addFields} would: every value a string, number, boolean, null or undefined, no
 * key reserved, secret-looking, numeric (those sort first in an object) or already bound.
 * Otherwise null.
 */
function flatJson(fields: LogFields, bound: LogFields): string | null {
  let empty = true;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) return null;
    const value = fields[key];
    if (value !== null && !FLAT.has(typeof value)) return null;
    if (RESERVED.has(key) || isSecretField(key) || Object.hasOwn(bound, key)) return null;
    const first = key.charCodeAt(0);
    if (first >= 48 && first <= 57) return null;
    empty = false;
  }
  if (empty) return '';
  const json = JSON.stringify(fields);
  return json === '{}' ? '' : `,${json.slice(1, -1)}`;
}

// A field may not pose as the line's own time, level or message: such keys get a `_` prefix.
// A later field of the same name replaces an earlier one (fields over bindings).
function addFields(line: Record<string, unknown>, fields: LogFields): void {
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    line[RESERVED.has(key) ? `_${key}` : key] = isSecretField(key)
      ? '[redacted]'
      : redactValue(fields[key], 1);
  }
}

// Field names repeat from line to line; remembering the verdict saves a regex test per field.
const secretFields = new Map<string, boolean>();

function isSecretField(key: string): boolean {
  let secret = secretFields.get(key);
  if (secret === undefined) {
    secret = SECRET_FIELD.test(key);
    if (secretFields.size < 10_000) secretFields.set(key, secret);
  }
  return secret;
}

// Redacts at any depth, so a secret nested in a field's object is not logged either.
function redact(fields: LogFields, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = isSecretField(key) ? '[redacted]' : redactValue(value, depth + 1);
  }
  return out;
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 8) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  return redact(value as LogFields, depth);
}

function formatText(fields: Record<string, unknown>): string {
  return (
    Object.entries(fields)
      // As in JSON lines, a field whose value is undefined is not written.
      .filter(([, value]) => value !== undefined)
      // Quoted and escaped, so a value holding a newline cannot forge a second log line.
      .map(([key, value]) => ` ${key}=${JSON.stringify(value)}`)
      .join('')
  );
}
