/**
 * RFC 4180 records for the CSV byte scanner: only the strict, well-formed subset (a quoted field
 * is `"` … `"` with `""` for a quote, directly followed by the delimiter or the line end).
 * Anything else — a quote inside an unquoted field, text after a closing quote, a wrong field
 * count, an over-long record — is left to csv-parse, which reads the rest of the file and
 * reports the error exactly as it always has.
 */

/** A field without quotes. */
export const PLAIN = 0;
/** A quoted field without `""` inside: its bytes between the quotes are its text. */
export const QUOTED = 1;
/** A quoted field with `""` inside. */
export const ESCAPED = 2;

/** The record continues past the bytes scanned so far. */
export const NEED_MORE = -1;
/** The record is not in the strict subset; csv-parse must read it. */
export const FALLBACK = -2;

const LF = 10;
const CR = 13;
const QUOTE = 34;

/**
 * Splits the record starting at `pos` into `width` fields, writing field i's byte range to
 * `bounds[2i]`, `bounds[2i + 1]` and its kind ({@link PLAIN}, {@link QUOTED}, {@link ESCAPED}) to
 * `quoted[i]`. `end` follows a line
 * feed. Returns the index after the record's line feed, {@link NEED_MORE} or {@link FALLBACK}.
 */
export function splitQuotedRecord(
  buf: Buffer,
  pos: number,
  end: number,
  delimiter: number,
  bounds: Int32Array,
  quoted: Uint8Array,
): number {
  const width = quoted.length;
  let p = pos;
  for (let c = 0; ; c++) {
    if (c === width) return FALLBACK;
    let start = p;
    let stop: number;
    if (buf[p] === QUOTE) {
      start = p + 1;
      let from = start;
      quoted[c] = QUOTED;
      for (;;) {
        const close = buf.indexOf(QUOTE, from);
        if (close < 0 || close >= end) return NEED_MORE;
        if (buf[close + 1] !== QUOTE) {
          stop = close;
          p = close + 1;
          break;
        }
        from = close + 2;
        quoted[c] = ESCAPED;
      }
    } else {
      while (p < end) {
        const ch = buf[p];
        if (ch === delimiter || ch === LF) break;
        if (ch === QUOTE) return FALLBACK;
        p++;
      }
      stop = p > start && buf[p] === LF && buf[p - 1] === CR ? p - 1 : p;
      quoted[c] = PLAIN;
    }
    bounds[2 * c] = start;
    bounds[2 * c + 1] = stop;
    const next = buf[p];
    if (next === delimiter) {
      p++;
    } else if (next === LF) {
      return c === width - 1 ? p + 1 : FALLBACK;
    } else if (quoted[c] !== 0 && next === CR && buf[p + 1] === LF) {
      return c === width - 1 ? p + 2 : FALLBACK;
    } else {
      return FALLBACK;
    }
  }
}

/** The text of an {@link ESCAPED} field split by {@link splitQuotedRecord}. */
export function escapedText(buf: Buffer, start: number, stop: number): string {
  return buf.toString('utf8', start, stop).replaceAll('""', '"');
}
