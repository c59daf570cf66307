/** How long and how much a {@link LineBuffer} holds before it writes. */
export interface LineBufferOptions {
  /** Longest a line waits before it is written (ms). */
  readonly maxDelayMs?: number;
  /** Buffered characters at which the buffer is written at once. */
  readonly maxChars?: number;
  /** Timer functions, injectable for tests. */
  readonly setTimer?: (callback: () => void, ms: number) => { unref?(): unknown };
  readonly clearTimer?: (timer: { unref?(): unknown }) => void;
}

/** A log sink that writes lines in batches: one write per batch instead of one per line. */
export interface LineBuffer {
  /** Queues one finished line (with its newline). */
  readonly write: (line: string) => void;
  /** Writes every queued line now. */
  flush(): void;
  /**
   * Writes every queued line and stops watching for the process's exit; a line written later
   * (a shutdown message) is written at once.
   */
  close(): void;
}

const DEFAULT_DELAY_MS = 10;
const DEFAULT_MAX_CHARS = 64 * 1024;

/**
 * Batches log lines for `write` (e.g. stderr): a server logs a line per request, and a system
 * call per line costs more than building the line. A line waits at most `maxDelayMs` (10 ms),
 * and the buffer never holds more than `maxChars` (64 Ki characters); lines keep their order.
 * The timer does not keep the process alive, and the buffer is written when the process exits,
 * so only a crash that kills the process outright (SIGKILL) can lose the last few milliseconds.
 * Call `close` when the logger is done with.
 */
export function createLineBuffer(
  write: (text: string) => void,
  options: LineBufferOptions = {},
): LineBuffer {
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_DELAY_MS;
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const setTimer = options.setTimer ?? setTimeout;
  const clearTimer =
    options.clearTimer ??
    ((timer) => {
      clearTimeout(timer as ReturnType<typeof setTimeout>);
    });
  let pending: string[] = [];
  let chars = 0;
  let timer: { unref?(): unknown } | null = null;
  let closed = false;
  const flush = (): void => {
    if (timer !== null) {
      clearTimer(timer);
      timer = null;
    }
    if (pending.length === 0) return;
    const text = pending.length === 1 ? (pending[0] as string) : pending.join('');
    pending = [];
    chars = 0;
    write(text);
  };
  process.once('exit', flush);
  return {
    write(line) {
      pending.push(line);
      chars += line.length;
      if (closed || chars >= maxChars) {
        flush();
        return;
      }
      if (timer === null) {
        timer = setTimer(flush, maxDelayMs);
        timer.unref?.();
      }
    },
    flush,
    close() {
      closed = true;
      flush();
      process.off('exit', flush);
    },
  };
}
