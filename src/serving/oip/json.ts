/**
 * JSON from untrusted peers (request bodies, upstream answers): strict UTF-8, a nesting-depth
 * pre-scan, then JSON.parse. The pre-scan runs first because JSON.parse on 10,000 nested
 * arrays spends its time (and stack) before any check of ours could look at the result.
 */

/** The outcome of {@link parseJsonLimited}: the value, or why the text was refused. */
export type JsonParseResult =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting of `[`/`{` in `text` outside strings, stopping as soon as it exceeds
 * `maxDepth` (the result is then `maxDepth + 1`). Malformed text is left for JSON.parse.
 */
export function jsonDepth(text: string, maxDepth: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > maxDepth) return deepest;
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
  }
  return deepest;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes `bytes` as strict UTF-8 and parses them as JSON nested at most `maxDepth` deep. */
export function parseJsonLimited(bytes: Uint8Array, maxDepth: number): JsonParseResult {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { ok: false, error: 'the body is not valid UTF-8' };
  }
  if (jsonDepth(text, maxDepth) > maxDepth) {
    return { ok: false, error: `the JSON body is nested deeper than ${maxDepth} levels` };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, error: 'the body is not valid JSON' };
  }
}
