/**
 * Large, benign scanner inputs generated at benchmark time (bench/scan.ts): a pickle of big byte
 * payloads, an opcode-dense pickle of floats and a PyTorch-style zip written as a sparse file.
 */
import { randomFillSync } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

const MIB = 1024 * 1024;

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(value);
  return out;
}

function u64(value: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(BigInt(value));
  return out;
}

function unicode(text: string): Buffer {
  const raw = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([0x58]), u32(raw.length), raw]); // BINUNICODE
}

/** Writes `chunks` in order; returns the bytes written. */
function writeAll(file: string, chunks: Iterable<Uint8Array>): number {
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    for (const chunk of chunks) written += writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return written;
}

/**
 * A protocol-5 pickle of a list of `count` byte strings of `chunkSize` random bytes each, every
 * one a BINBYTES8, the way pickle writes large bytes objects (outside any frame).
 */
export function writeBlobPickle(file: string, count: number, chunkSize: number): number {
  const block = randomFillSync(Buffer.alloc(chunkSize));
  function* chunks(): Generator<Uint8Array> {
    yield Buffer.from([0x80, 5, 0x5d, 0x94, 0x28]); // PROTO 5, EMPTY_LIST, MEMOIZE, MARK
    for (let i = 0; i < count; i++) {
      block.writeUInt32LE(i, 0); // distinct payloads
      yield Buffer.concat([Buffer.from([0x8e]), u64(chunkSize)]); // BINBYTES8
      yield block;
      yield Buffer.from([0x94]); // MEMOIZE
    }
    yield Buffer.from([0x65, 0x2e]); // APPENDS, STOP
  }
  return writeAll(file, chunks());
}

/**
 * What `pickle.dumps(list_of_floats, protocol=4)` writes for `count` floats: 64 KiB frames of
 * MARK, 1000 BINFLOATs, APPENDS.
 */
export function writeDensePickle(file: string, count: number): number {
  const batch = 1000;
  const body = Buffer.alloc(1 + 9 * batch + 1);
  body[0] = 0x28; // MARK
  for (let i = 0; i < batch; i++) {
    body[1 + 9 * i] = 0x47; // BINFLOAT
    body.writeDoubleBE(i * 0.25 - 100, 2 + 9 * i);
  }
  body[body.length - 1] = 0x65; // APPENDS
  const perFrame = Math.floor((64 * 1024) / body.length);
  const frame = (parts: Buffer[]): Buffer => {
    const payload = Buffer.concat(parts);
    return Buffer.concat([Buffer.from([0x95]), u64(payload.length), payload]);
  };
  function* chunks(): Generator<Uint8Array> {
    yield Buffer.from([0x80, 4]);
    let parts: Buffer[] = [Buffer.from([0x5d, 0x94])]; // EMPTY_LIST, MEMOIZE
    for (let done = 0; done < count; done += batch) {
      parts.push(body);
      if (parts.length >= perFrame) {
        yield frame(parts);
        parts = [];
      }
    }
    parts.push(Buffer.from([0x2e])); // STOP
    yield frame(parts);
  }
  return writeAll(file, chunks());
}

/** A torch `data.pkl`: an OrderedDict of `count` float tensors on persistent storages. */
function torchDataPickle(count: number, numel: number): Buffer {
  const parts: Buffer[] = [
    Buffer.from([0x80, 2]),
    Buffer.from('ccollections\nOrderedDict\n)R(', 'latin1'),
  ];
  for (let i = 0; i < count; i++) {
    parts.push(unicode(`layers.${i}.weight`));
    parts.push(Buffer.from('ctorch._utils\n_rebuild_tensor_v2\n((', 'latin1'));
    parts.push(unicode('storage'), Buffer.from('ctorch\nFloatStorage\n', 'latin1'));
    parts.push(unicode(String(i)), unicode('cpu'), Buffer.from([0x8a, 8]), u64(numel));
    parts.push(Buffer.from('tQK\x00', 'latin1')); // TUPLE, BINPERSID, offset 0
    parts.push(Buffer.from([0x8a, 8]), u64(numel), Buffer.from([0x85, 0x4b, 1, 0x85, 0x89]));
    parts.push(Buffer.from('ccollections\nOrderedDict\n)RtR', 'latin1'));
  }
  parts.push(Buffer.from('u.', 'latin1'));
  return Buffer.concat(parts);
}

interface Member {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly crc: number;
}

function zerosCrc(size: number): number {
  const zeros = Buffer.alloc(64 * MIB);
  let crc = 0;
  for (let done = 0; done < size; done += zeros.length) {
    crc = crc32(zeros.subarray(0, Math.min(zeros.length, size - done)), crc);
  }
  return crc;
}

/**
 * A PyTorch-style zip (archive/data.pkl, archive/data/0..count-1, archive/version) whose
 * storages are `storageSize` zero bytes each, written as holes so the file is sparse. Zip64
 * records carry the offsets past 4 GiB. Returns the file size.
 */
export function writeTorchZip(file: string, count: number, storageSize: number): number {
  const fd = openSync(file, 'w');
  try {
    let at = 0;
    const put = (bytes: Buffer): void => {
      writeSync(fd, bytes, 0, bytes.length, at);
      at += bytes.length;
    };
    const members: Member[] = [];
    const local = (name: string, size: number, crc: number): void => {
      const raw = Buffer.from(name, 'utf8');
      const header = Buffer.alloc(30);
      header.writeUInt32LE(0x04034b50, 0);
      header.writeUInt16LE(45, 4);
      header.writeUInt32LE(crc, 14);
      header.writeUInt32LE(size, 18);
      header.writeUInt32LE(size, 22);
      header.writeUInt16LE(raw.length, 26);
      members.push({ name, offset: at, size, crc });
      put(Buffer.concat([header, raw]));
    };
    const pkl = torchDataPickle(count, storageSize / 4);
    local('archive/data.pkl', pkl.length, crc32(pkl));
    put(pkl);
    const crc = zerosCrc(storageSize);
    for (let i = 0; i < count; i++) {
      local(`archive/data/${i}`, storageSize, crc);
      at += storageSize; // a hole: reads back as zeros
    }
    const version = Buffer.from('3\n');
    local('archive/version', version.length, crc32(version));
    put(version);
    const directoryStart = at;
    for (const member of members) put(centralEntry(member));
    const directoryEnd = at;
    put(zip64End(members.length, directoryEnd - directoryStart, directoryStart, directoryEnd));
    ftruncateSync(fd, at);
    return at;
  } finally {
    closeSync(fd);
  }
}

function centralEntry(member: Member): Buffer {
  const raw = Buffer.from(member.name, 'utf8');
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(45, 4);
  header.writeUInt16LE(45, 6);
  header.writeUInt32LE(member.crc, 16);
  header.writeUInt32LE(member.size, 20);
  header.writeUInt32LE(member.size, 24);
  header.writeUInt16LE(raw.length, 28);
  header.writeUInt16LE(12, 30); // extra: zip64 offset
  header.writeUInt32LE(0xffffffff, 42);
  const extra = Buffer.concat([Buffer.from([1, 0, 8, 0]), u64(member.offset)]);
  return Buffer.concat([header, raw, extra]);
}

function zip64End(entries: number, size: number, start: number, recordAt: number): Buffer {
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeUInt16LE(45, 12);
  record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(entries), 24);
  record.writeBigUInt64LE(BigInt(entries), 32);
  record.writeBigUInt64LE(BigInt(size), 40);
  record.writeBigUInt64LE(BigInt(start), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(recordAt), 8);
  locator.writeUInt32LE(1, 16);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0xffff, 8);
  end.writeUInt16LE(0xffff, 10);
  end.writeUInt32LE(0xffffffff, 12);
  end.writeUInt32LE(0xffffffff, 16);
  return Buffer.concat([record, locator, end]);
}
