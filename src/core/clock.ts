let lastMs = Number.NaN;
let lastText = '';

/**
 * The current time as RFC 3339 UTC text (`Date#toISOString`), formatted once per millisecond:
 * servers stamp a log line and a record per request, and formatting costs more than the rest
 * of a small line.
 */
export function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastText = new Date(ms).toISOString();
  }
  return lastText;
}
