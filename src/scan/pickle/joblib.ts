/**
 * joblib's inline arrays. `joblib.dump` writes each numpy array as a
 * `joblib.numpy_pickle.NumpyArrayWrapper` (NEWOBJ + BUILD) followed right away by the raw
 * array bytes, which are not pickle opcodes; `NumpyUnpickler.load_build` reads them
 * (joblib/numpy_pickle.py `NumpyArrayWrapper.read_array`):
 * - object dtype: a whole pickle (protocol 2) follows, scanned here inline;
 * - otherwise, when the wrapper has `numpy_array_alignment_bytes` (joblib ≥ 1.2): one byte
 *   giving a padding length, that many padding bytes, then `prod(shape) * itemsize` bytes.
 */
import { pushFrame, resume } from './lifecycle.js';
import type { Machine } from './machine.js';
import type { Reader } from './reader.js';
import { FAIL, STOPPED } from './status.js';
import {
  ARRAY,
  NONE,
  dictGet,
  itemsOf,
  pathOf,
  stringOf,
  type Call,
  type Value,
} from './values.js';

interface ArrayLayout {
  readonly nbytes: number;
  readonly aligned: boolean;
  readonly object: boolean;
}

function dtypeOf(
  value: Value | undefined,
): { descr: string; elsize: number; flags: number } | undefined {
  if (value === undefined || typeof value === 'number' || value.kind !== 'call') return undefined;
  const fn = value.fn;
  if (typeof fn === 'number' || fn.kind !== 'global' || pathOf(fn) !== 'numpy.dtype')
    return undefined;
  const [descr] = itemsOf(value.args);
  const text = descr === undefined ? undefined : stringOf(descr);
  if (text === undefined) return undefined;
  const state = value.state === undefined ? [] : itemsOf(value.state);
  const elsize = state[5];
  const flags = state[7];
  return {
    descr: text,
    elsize: typeof elsize === 'number' ? elsize : -1,
    flags: typeof flags === 'number' ? flags : 0,
  };
}

/** The size of the bytes following a wrapper, or why it cannot be computed. */
function arrayLayout(state: Value | undefined): ArrayLayout | string {
  if (state === undefined) return 'the wrapper has no state';
  const shape = dictGet(state, 'shape');
  const dtype = dtypeOf(dictGet(state, 'dtype'));
  if (shape === undefined || typeof shape === 'number' || shape.kind !== 'tuple') return 'no shape';
  if (!dtype) return 'no numpy.dtype';
  if (shape.items.length !== shape.n) return 'the shape has too many dimensions';
  let count = 1;
  for (const dim of shape.items) {
    if (typeof dim !== 'number' || dim < 0) return 'a dimension is not a small integer';
    count *= dim;
  }
  const alignment = dictGet(state, 'numpy_array_alignment_bytes');
  const aligned = alignment !== undefined && alignment !== NONE;
  const object = dtype.descr.startsWith('O') || (dtype.flags & 1) === 1;
  const parsed = /^[<>|=]?[a-zA-Z](\d+)$/.exec(dtype.descr);
  const itemsize = dtype.elsize > 0 ? dtype.elsize : Number(parsed?.[1] ?? NaN);
  const nbytes = count * itemsize;
  if (!object && !Number.isSafeInteger(nbytes))
    return `dtype ${dtype.descr} has no known item size`;
  return { nbytes, aligned, object };
}

/** After BUILD of a wrapper at `pos`: skips or scans the array data that follows. */
export function startArray(m: Machine, w: Reader, pos: number, wrapper: Call, at: number): number {
  const layout = arrayLayout(wrapper.state);
  w.pos = pos;
  if (typeof layout === 'string') {
    m.problem(
      'pickle-joblib-array',
      `A joblib array wrapper cannot be followed: ${layout}.`,
      at,
      true,
    );
    m.status = FAIL;
    return STOPPED;
  }
  m.stack[m.stack.length - 1] = ARRAY;
  if (layout.object) {
    if (!pushFrame(m, at)) {
      m.status = FAIL;
      return STOPPED;
    }
    return pos;
  }
  m.pendingArray = { nbytes: layout.nbytes, aligned: layout.aligned };
  return resume(m, w);
}
