import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parse, YAMLParseError } from 'yaml';
import type * as z from 'zod';
import { fileError, RampartError, systemErrorCode } from '../core/index.js';
import { applyEnvOverrides } from './env.js';
import { configSchema, type Config } from './schema.js';

/** The configuration file's name inside the state folder. */
export const CONFIG_FILE_NAME = 'rampart.yaml';

/**
 * Largest configuration file accepted. A real one is a few hundred bytes; the YAML parser slows
 * down superlinearly on long malformed input (fuzzer: 4.8 s at 1 MiB), so keep this small.
 */
const MAX_CONFIG_BYTES = 64 * 1024;

/** One schema problem, as data: where and what. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Where to find the configuration. */
export interface LoadConfigOptions {
  /** The state folder; `rampart.yaml` there is used when `file` is not given. */
  readonly home: string;
  /** An explicit file (from --config or RAMPART_CONFIG); it must exist. */
  readonly file?: string | undefined;
  /** The environment to read overrides from. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A validated, deeply frozen configuration and where it came from. */
export interface LoadedConfig {
  readonly config: Config;
  /** The file that was read, or null when only defaults and environment applied. */
  readonly source: string | null;
}

/**
 * Loads rampart.yaml (or `file`), applies environment overrides, validates and freezes it.
 * @throws RAMPART_CONFIG_NOT_FOUND, RAMPART_CONFIG_PARSE, RAMPART_CONFIG_INVALID,
 *   RAMPART_FILE_UNREADABLE, RAMPART_LIMIT_EXCEEDED
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const explicit = options.file !== undefined;
  const file = options.file ?? path.join(options.home, CONFIG_FILE_NAME);
  const text = readConfigText(file, explicit);
  const raw = text === null ? {} : parseYaml(text, file);
  return {
    config: validateConfig(applyEnvOverrides(raw, options.env)),
    source: text === null ? null : file,
  };
}

/**
 * Validates a plain object against the schema and fills in defaults.
 * @throws RAMPART_CONFIG_INVALID listing every issue with its key path.
 */
export function validateConfig(raw: unknown): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issues = toIssues(result.error.issues);
    const list = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new RampartError('RAMPART_CONFIG_INVALID', `invalid configuration: ${list}`, {
      details: { issues },
    });
  }
  return deepFreeze(result.data);
}

function readConfigText(file: string, explicit: boolean): string | null {
  try {
    const size = statSync(file).size;
    if (size > MAX_CONFIG_BYTES) {
      throw new RampartError(
        'RAMPART_LIMIT_EXCEEDED',
        `${file} is ${size} bytes; the limit is 64 KiB`,
      );
    }
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (!explicit && systemErrorCode(error) === 'ENOTDIR') {
      throw new RampartError('RAMPART_HOME_INVALID', `${path.dirname(file)} is not a folder`, {
        details: { path: path.dirname(file) },
      });
    }
    if (systemErrorCode(error) === 'ENOENT') {
      if (!explicit) return null;
      throw new RampartError('RAMPART_CONFIG_NOT_FOUND', `${file}: no such configuration file`, {
        details: { path: file },
      });
    }
    throw fileError(error, file);
  }
}

/**
 * How rampart.yaml is parsed (shared with the fuzzer). logLevel 'error': warnings would otherwise
 * go to process.emitWarning (stray stderr); prettyErrors off: slow on long malformed input.
 */
export const YAML_PARSE_OPTIONS = Object.freeze({
  uniqueKeys: true,
  maxAliasCount: 100,
  prettyErrors: false,
  logLevel: 'error',
} as const);

function parseYaml(text: string, file: string): Record<string, unknown> {
  const lines = new LineCounter();
  let value: unknown;
  try {
    value = parse(text, { ...YAML_PARSE_OPTIONS, lineCounter: lines });
  } catch (error) {
    throw yamlError(error, file, lines);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new RampartError('RAMPART_CONFIG_INVALID', `${file}: the top level must be a mapping`, {
      details: { path: file },
    });
  }
  return value as Record<string, unknown>;
}

function yamlError(error: unknown, file: string, lines: LineCounter): RampartError {
  const at = error instanceof YAMLParseError ? lines.linePos(error.pos[0]) : undefined;
  const where = at === undefined ? '' : `:${at.line}:${at.col}`;
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new RampartError('RAMPART_CONFIG_PARSE', `${file}${where}: ${reason ?? 'invalid YAML'}`, {
    cause: error,
    details: { path: file },
  });
}

function toIssues(issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  return issues.flatMap((issue) => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: base === '' ? key : `${base}.${key}`,
        message: 'unknown key',
      }));
    }
    return [{ path: base === '' ? '(root)' : base, message: issue.message }];
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
