/**
 * Decoders for the text arguments of protocol-0 opcodes, following CPython `_pickle.c`:
 * `int(x, 0)` for INT and LONG, float literals, quoted `repr` strings (`codecs.escape_decode`)
 * and `raw-unicode-escape` for UNICODE.
 */

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

const INT_LITERAL = /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)$/;
const FLOAT_LITERAL =
  /^[+-]?(?:(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)$/i;

/** Latin-1 text of `bytes[start, end)`. */
export function latin1Text(bytes: Uint8Array, start: number, end: number): string {
  return latin1.decode(bytes.subarray(start, end));
}

/** Strict UTF-8 text of `bytes[start, end)`, or undefined when it is not valid UTF-8. */
export function utf8Text(bytes: Uint8Array, start: number, end: number): string | undefined {
  try {
    return strictUtf8.decode(bytes.subarray(start, end));
  } catch {
    return undefined;
  }
}

/**
 * The value of an INT/LONG line: a safe JS integer, `'big'` for a valid integer outside the
 * safe range, or undefined when the text is not an integer literal.
 */
export function parseInt0(text: string): number | 'big' | undefined {
  const literal = text.trim();
  if (!INT_LITERAL.test(literal)) return undefined;
  const negative = literal.startsWith('-');
  const body = literal.replace(/^[+-]/, '').replaceAll('_', '');
  let value: bigint;
  try {
    value = BigInt(/^0[0-9]/.test(body) ? body.replace(/^0+(?=.)/, '') : body);
  } catch {
    return undefined;
  }
  if (negative) value = -value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : 'big';
}

/** True when `text` is a float literal CPython's `float()` accepts. */
export function isFloat0(text: string): boolean {
  const literal = text.trim();
  return literal !== '' && /[0-9]|inf|nan/i.test(literal) && FLOAT_LITERAL.test(literal);
}

const SIMPLE_ESCAPES: Record<string, number> = {
  '\\': 0x5c,
  "'": 0x27,
  '"': 0x22,
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
};

/**
 * The bytes of a STRING argument (`'...'` or `"..."` with backslash escapes), or undefined
 * when it is not quoted the way CPython requires.
 */
export function decodeQuoted(line: Uint8Array): Uint8Array | undefined {
  const n = line.length;
  const quote = line[0];
  if (n < 2 || (quote !== 0x27 && quote !== 0x22) || line[n - 1] !== quote) return undefined;
  const out: number[] = [];
  for (let i = 1; i < n - 1; i++) {
    const byte = line[i] ?? 0;
    if (byte !== 0x5c || i + 1 >= n - 1) {
      out.push(byte);
      continue;
    }
    const next = String.fromCharCode(line[++i] ?? 0);
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) out.push(simple);
    else if (next === '\n') continue;
    else if (next === 'x') {
      const hex = latin1Text(line, i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (next >= '0' && next <= '7') {
      let digits = next;
      while (digits.length < 3 && /[0-7]/.test(String.fromCharCode(line[i + 1] ?? 0))) {
        digits += String.fromCharCode(line[++i] ?? 0);
      }
      out.push(parseInt(digits, 8) & 0xff);
    } else out.push(0x5c, next.charCodeAt(0));
  }
  return Uint8Array.from(out);
}

/** Decodes `raw-unicode-escape` text (latin-1 with `\uXXXX` and `\UXXXXXXXX` escapes). */
export function decodeRawUnicodeEscape(line: Uint8Array): string {
  const text = latin1.decode(line);
  if (!text.includes('\\')) return text;
  return text.replace(
    /\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/g,
    (match: string, u?: string, big?: string) => {
      const code = parseInt(u ?? big ?? '', 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : match;
    },
  );
}
