/**
 * A GGUF writer for this folder's tests: files of any version and byte order are built in the
 * test, with whatever metadata, tensors and mistakes a case needs.
 */

/** An array value: element type and elements. */
export interface GgufArray {
  readonly type: number;
  readonly values: readonly unknown[];
}
/** A metadata entry: key, value type, value. */
export type Kv = readonly [key: string, type: number, value: unknown];
/** A tensor info entry. */
export interface TensorInfo {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: number;
  readonly offset: number | bigint;
}
/** What to put in the file. */
export interface Spec {
  readonly version?: number;
  readonly littleEndian?: boolean;
  readonly kv?: readonly Kv[];
  readonly tensors?: readonly TensorInfo[];
  readonly alignment?: number;
  readonly data?: number;
}

/** Bytes in a chosen byte order, with GGUF v1's 32-bit or later 64-bit lengths. */
class Writer {
  readonly bytes: number[] = [];
  constructor(
    readonly version: number,
    readonly littleEndian: boolean,
  ) {}

  fixed(size: number, write: (view: DataView, le: boolean) => void): void {
    const view = new DataView(new ArrayBuffer(size));
    write(view, this.littleEndian);
    this.bytes.push(...new Uint8Array(view.buffer));
  }

  u32(v: number): void {
    this.fixed(4, (d, le) => {
      d.setUint32(0, v, le);
    });
  }

  u64(v: number | bigint): void {
    this.fixed(8, (d, le) => {
      d.setBigUint64(0, BigInt(v), le);
    });
  }

  count(v: number): void {
    if (this.version === 1) this.u32(v);
    else this.u64(v);
  }

  str(s: string): void {
    const encoded = new TextEncoder().encode(s);
    this.count(encoded.length);
    this.bytes.push(...encoded);
  }

  value(type: number, v: unknown): void {
    const n = Number(v);
    if (type === 0 || type === 1 || type === 7) this.bytes.push(n & 0xff);
    else if (type === 2 || type === 3) {
      this.fixed(2, (d, le) => {
        d.setUint16(0, n, le);
      });
    } else if (type === 4 || type === 5) this.u32(n);
    else if (type === 6) {
      this.fixed(4, (d, le) => {
        d.setFloat32(0, n, le);
      });
    } else if (type === 8) this.str(String(v));
    else if (type === 9) {
      const array = v as GgufArray;
      this.u32(array.type);
      this.count(array.values.length);
      for (const item of array.values) this.value(array.type, item);
    } else if (type === 12) {
      this.fixed(8, (d, le) => {
        d.setFloat64(0, n, le);
      });
    } else this.u64(BigInt(v as number));
  }
}

/** A GGUF file built byte by byte. */
export function gguf(spec: Spec): Uint8Array {
  const { version = 3, littleEndian = true, kv = [], tensors = [], alignment = 32 } = spec;
  const w = new Writer(version, littleEndian);
  w.bytes.push(0x47, 0x47, 0x55, 0x46);
  w.u32(version);
  w.count(tensors.length);
  w.count(kv.length);
  for (const [key, type, v] of kv) {
    w.str(key);
    w.u32(type);
    w.value(type, v);
  }
  for (const tensor of tensors) {
    w.str(tensor.name);
    w.u32(tensor.dims.length);
    for (const dim of tensor.dims) w.count(dim);
    w.u32(tensor.type);
    w.u64(tensor.offset);
  }
  while (w.bytes.length % alignment !== 0) w.bytes.push(0);
  return Uint8Array.from([...w.bytes, ...new Uint8Array(spec.data ?? 0)]);
}
