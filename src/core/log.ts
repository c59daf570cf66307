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

/** Creates a structured logger; secret-looking fields are redacted. */
export function createLogger(options: LoggerOptions, bindings: LogFields = {}): Logger {
  const now = options.now ?? (() => new Date());
  const write = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    if (RANK[level] < RANK[options.level]) return;
    const record = redact({ ...bindings, ...fields });
    const time = now().toISOString();
    options.sink(
      options.format === 'json'
        ? `${JSON.stringify({ time, level, msg: message, ...record })}\n`
        : `${time} ${level.toUpperCase()} ${message}${formatText(record)}\n`,
    );
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

function redact(fields: LogFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = SECRET_FIELD.test(key) ? '[redacted]' : value;
  }
  return out;
}

function formatText(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .map(([key, value]) => ` ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('');
}
