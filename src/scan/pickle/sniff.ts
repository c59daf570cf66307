/**
 * Content sniffing: does a file start with a pickle, and is it a legacy (non-zip) torch.save
 * stream? Protocol 2–5 pickles announce themselves with PROTO; protocol 0/1 pickles are
 * recognised by simulating the head, so plain text does not pass for a pickle.
 */
import { DEFAULT_LIMITS } from '../context.js';
import { Machine } from './machine.js';
import { isOpcode } from './opcodes.js';
import { Reader } from './reader.js';
import { BufferSource } from '../source.js';
import { DONE, FAIL } from './status.js';

/** `\x80\x02` + LONG1 of torch's magic number 0x1950a86a20f9469cfc6c + STOP. */
const TORCH_MAGIC = Uint8Array.from([
  0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e,
]);

/** Most of the head simulated when sniffing. */
const SNIFF_BYTES = 64 * 1024;
/** Opcodes run without error that make an unterminated head count as a pickle. */
const SNIFF_MIN_OPS = 32;

/** True when `head` starts with the legacy torch magic-number pickle. */
export function isTorchLegacy(head: Uint8Array): boolean {
  if (head.length < TORCH_MAGIC.length) return false;
  return TORCH_MAGIC.every((byte, i) => head[i] === byte);
}

/**
 * True when `head` (the first bytes of a file) is a pickle: PROTO 2–5, or a simulation of the
 * head that reaches STOP, or resolves a global with identifier names, before any error.
 */
export function looksLikePickle(head: Uint8Array): boolean {
  const first = head[0];
  if (first === undefined || !isOpcode(first)) return false;
  const proto = head[1] ?? 0;
  if (first === 0x80 && proto >= 2 && proto <= 5) return true;
  const problems: string[] = [];
  const m = new Machine({
    limits: DEFAULT_LIMITS,
    seekable: true,
    sniff: true,
    reporter: { finding: () => undefined, problem: (code) => problems.push(code) },
  });
  const bytes = head.subarray(0, SNIFF_BYTES);
  const reader = new Reader(new BufferSource(bytes));
  reader.buf = bytes;
  reader.end = bytes.length;
  reader.eof = true;
  m.begin();
  const status = m.run(reader);
  if (status === DONE && problems.length === 0) return true;
  if (m.refs.hasIdentifierGlobal()) return true;
  const cut = status !== FAIL || (problems.length === 1 && problems[0] === 'pickle-truncated');
  return cut && m.ops >= SNIFF_MIN_OPS;
}
