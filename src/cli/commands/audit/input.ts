import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileError, RampartError } from '../../../core/index.js';
import type { CommandContext, CommandInput } from '../../command.js';

// Whitespace and indentation may make a file larger than the 8 KiB canonical event limit.
const MAX_EVENT_FILE_BYTES = 64 * 1024;

/**
 * A non-negative integer from a positional argument or flag value.
 * @throws RAMPART_USAGE for anything else.
 */
export function parseCount(name: string, text: string | undefined, max?: number): number {
  const value = Number(text);
  if (text === undefined || !/^\d{1,15}$/.test(text) || (max !== undefined && value > max)) {
    const range = max === undefined ? 'a non-negative integer' : `an integer from 0 to ${max}`;
    throw new RampartError('RAMPART_USAGE', `audit: ${name} must be ${range}, not '${text ?? ''}'`);
  }
  return value;
}

/** The value of a string flag, parsed as a count, or undefined when absent. */
export function countOption(input: CommandInput, name: string, max?: number): number | undefined {
  const value = input.options[name];
  return typeof value === 'string' ? parseCount(`--${name}`, value, max) : undefined;
}

/**
 * Reads one JSON event from a file, or from stdin for `-`.
 * @throws RAMPART_USAGE without stdin; file errors; RAMPART_LIMIT_EXCEEDED over 64 KiB;
 * RAMPART_AUDIT_EVENT_INVALID for text that is not JSON.
 */
export async function readEventArgument(context: CommandContext, arg: string): Promise<unknown> {
  let text: string;
  if (arg === '-') {
    if (context.stdin === undefined) {
      throw new RampartError('RAMPART_USAGE', 'audit append -: no standard input to read from');
    }
    text = await readLimited(context.stdin, 'standard input');
  } else {
    const file = path.resolve(context.cwd, arg);
    try {
      text = await readLimited(createReadStream(file), file);
    } catch (error) {
      throw fileError(error, file);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const source = arg === '-' ? 'standard input' : arg;
    throw new RampartError('RAMPART_AUDIT_EVENT_INVALID', `${source} is not valid JSON`, {
      details: { issues: [{ path: '(root)', message: 'not valid JSON' }] },
    });
  }
}

async function readLimited(stream: Readable, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > MAX_EVENT_FILE_BYTES) {
      stream.destroy();
      throw new RampartError(
        'RAMPART_LIMIT_EXCEEDED',
        `${name} is over the limit of ${MAX_EVENT_FILE_BYTES} bytes for one event`,
        { details: { limit: MAX_EVENT_FILE_BYTES } },
      );
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}
