/**
 * What a NumPy header's `descr` means for scanning: whether the array holds Python objects
 * (its data is then a pickle) and, for plain arrays, the item size. It follows
 * `numpy.lib.format.descr_to_dtype`: a type string, a `(descr, shape)` subarray, or a list of
 * `(name, descr[, shape])` fields.
 */
import type { PyValue } from './py-literal.js';

/** A dtype as far as the scanner cares. */
export interface Dtype {
  /** True when any part of it is `object` (numpy then pickles the whole array). */
  readonly object: boolean;
  /** Bytes per element; undefined when this reading cannot tell. */
  readonly itemsize: number | undefined;
}

// Sizes of the one-letter type codes numpy accepts without a size (64-bit Linux).
const CODE_SIZES: Readonly<Record<string, number>> = {
  '?': 1,
  b: 1,
  B: 1,
  h: 2,
  H: 2,
  i: 4,
  I: 4,
  l: 8,
  L: 8,
  q: 8,
  Q: 8,
  p: 8,
  P: 8,
  e: 2,
  f: 4,
  d: 8,
  g: 16,
  F: 8,
  D: 16,
  G: 32,
  S: 0,
  a: 0,
  U: 0,
  V: 0,
  M: 8,
  m: 8,
};
const TYPE_STRING = /^[<>|=]?([A-Za-z?])(\d*)(?:\[\w+\])?$/;

/** Describes `descr`; throws when numpy would reject it as a descriptor. */
export function describeDtype(descr: PyValue | undefined): Dtype {
  if (descr === undefined) throw new Error('the header has no descr');
  if (descr.kind === 'str') return typeString(descr.value);
  if (descr.kind === 'tuple') {
    const [base, shape] = descr.items;
    if (descr.items.length !== 2 || base === undefined)
      throw new Error('a subarray descr is not (descr, shape)');
    return times(describeDtype(base), count(shape));
  }
  if (descr.kind !== 'list') throw new Error(`descr is a ${descr.kind}, not a dtype descriptor`);
  let object = false;
  let itemsize: number | undefined = 0;
  for (const field of descr.items) {
    if (
      (field.kind !== 'tuple' && field.kind !== 'list') ||
      field.items.length < 2 ||
      field.items.length > 3
    ) {
      throw new Error('a structured descr field is not (name, descr[, shape])');
    }
    const [, inner, shape] = field.items;
    const described = describeDtype(inner);
    const one = shape === undefined ? described : times(described, count(shape));
    object ||= one.object;
    itemsize =
      itemsize === undefined || one.itemsize === undefined ? undefined : itemsize + one.itemsize;
  }
  return { object, itemsize };
}

// Any mention of object in a type string ("O", "|O8", "object", "i4,O") is treated as object.
function typeString(text: string): Dtype {
  if (/O|object/.test(text)) return { object: true, itemsize: undefined };
  const match = TYPE_STRING.exec(text);
  if (match === null) return { object: false, itemsize: undefined };
  const [, code = '', digits = ''] = match;
  if (digits === '') return { object: false, itemsize: CODE_SIZES[code] };
  const size = Number(digits);
  if ('biufcSaVMm'.includes(code)) return { object: false, itemsize: size };
  if (code === 'U') return { object: false, itemsize: size * 4 };
  return { object: false, itemsize: undefined };
}

function count(shape: PyValue | undefined): number | undefined {
  if (shape?.kind === 'int') return Number(shape.value);
  if (shape?.kind !== 'tuple') return undefined;
  let total = 1;
  for (const dim of shape.items) {
    if (dim.kind !== 'int' || dim.value < 0n) return undefined;
    total *= Number(dim.value);
  }
  return total;
}

function times(dtype: Dtype, n: number | undefined): Dtype {
  const itemsize = dtype.itemsize === undefined || n === undefined ? undefined : dtype.itemsize * n;
  return { object: dtype.object, itemsize };
}
