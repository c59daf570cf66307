/** What the opcode loop asks its async driver to do next. */

/** The pickle reached STOP. */
export const DONE = 0;
/** `machine.need` bytes are wanted from the window position. */
export const NEED = 1;
/** Continue at absolute offset `machine.skipTarget` (a payload is skipped). */
export const SKIP = 2;
/** A fatal problem was reported; the pickle cannot be followed further. */
export const FAIL = 3;
/** Skip past the next newline, then run again (an over-long protocol-0 text line). */
export const SKIP_LINE = 4;
export type Status = typeof DONE | typeof NEED | typeof SKIP | typeof FAIL | typeof SKIP_LINE;

/** A handler result meaning "stop the loop; `machine.status` says why". */
export const STOPPED = -1;
