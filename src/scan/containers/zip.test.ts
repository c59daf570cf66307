import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScanLimits } from '../context.js';
import { BufferSource } from '../source.js';
import { scanNumpy } from './numpy.js';
import { FakeContext, type Dispatch } from './testing-context.js';
import { buildZip, type TestEntry } from './testing-zip.js';
import { scanZip } from './zip.js';

const PICKLE = Buffer.from('\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01.', 'latin1');
const TEXT = Buffer.from('just some text\n'.repeat(20));
// PICKLED = PICKLE + "hello" * 50, compressed by Python 3.11: as zipfile writes ZIP_LZMA
// (method 14) and ZIP_BZIP2 (method 12), and as an xz stream (method 95).
const PICKLED = Buffer.concat([PICKLE, Buffer.from('hello'.repeat(50))]);
const LZMA_MEMBER = Buffer.from(
  '090405005d000080000040010e6d6db6942d01bcb54273219638e8dd4583fffff487c000',
  'hex',
);
const BZIP2_MEMBER = Buffer.from(
  '425a68393141592653596111cbec00008255606e00000100080244c000020020003100d0008a400c988751359d7841ed203220d020dabe2ee48a70a120c22397d8',
  'hex',
);
const XZ_MEMBER = Buffer.from(
  'fd377a585a000000ff12d9410200210116000000742fe5a3e0010700155d0040010e6d6db6942d01bcb54273219638e8c4e00000000000000001298802000000fbb369c8a8000afc020000000000595a',
  'hex',
);

async function scan(
  bytes: Uint8Array,
  limits: Partial<ScanLimits> = {},
  dispatch?: Dispatch,
): Promise<FakeContext> {
  const context = new FakeContext({ limits, ...(dispatch === undefined ? {} : { dispatch }) });
  await scanZip(new BufferSource(bytes), context);
  return context;
}

function names(context: FakeContext): string[] {
  return context.nested.map((n) => n.name);
}

function checks(context: FakeContext): string[] {
  return context.findings.map((f) => `${f.rule} ${f.check ?? ''}`);
}

describe('scanZip', () => {
  it('hands every member to the engine, stored and deflated, whatever its name', async () => {
    const context = await scan(
      buildZip([
        { name: 'archive/data.pkl', data: PICKLE },
        { name: 'notes.txt', data: PICKLE, method: 8 },
        { name: 'archive/', data: Buffer.alloc(0) },
        { name: 'empty', data: Buffer.alloc(0) },
        { name: 'text', data: TEXT, method: 8 },
      ]),
    );
    assert.deepEqual([checks(context), context.problems], [[], []]);
    assert.deepEqual(names(context), ['archive/data.pkl', 'notes.txt', 'empty', 'text']);
    assert.deepEqual(Buffer.from(context.nested[1]?.bytes ?? []), PICKLE);
    assert.deepEqual(Buffer.from(context.nested[3]?.bytes ?? []), TEXT);
    assert.equal(context.nested[2]?.size, 0);
  });

  it('ignores bad CRCs and flag bits that do not really mean encryption, as PyTorch does', async () => {
    for (const entry of [
      { badCrc: true },
      { flags: 0x01 },
      { flags: 0x20 },
      { flags: 0x40 },
      { flags: 0x01, method: 8 },
    ] satisfies Partial<TestEntry>[]) {
      const context = await scan(buildZip([{ name: 'model/config.pkl', data: PICKLE, ...entry }]));
      assert.deepEqual(
        [context.problems, names(context)],
        [[], ['model/config.pkl']],
        JSON.stringify(entry),
      );
      assert.deepEqual(Buffer.from(context.nested[0]?.bytes ?? []), PICKLE);
    }
  });

  it('reports really encrypted members and does not scan them', async () => {
    const zipcrypto = Buffer.concat([Buffer.alloc(12, 0xa5), Buffer.from('ciphertext!!!!!')]);
    const stored = await scan(
      buildZip([{ name: 'test.txt', data: Buffer.alloc(15), compressed: zipcrypto, flags: 0x01 }]),
    );
    assert.deepEqual([stored.problems.map((p) => p.code), names(stored)], [['zip-encrypted'], []]);
    const deflated = await scan(
      buildZip([
        { name: 'a.pkl', data: PICKLE, method: 8, compressed: Buffer.alloc(40, 0xff), flags: 0x01 },
      ]),
    );
    assert.deepEqual(
      [deflated.problems.map((p) => p.code), names(deflated)],
      [['zip-encrypted'], []],
    );
    const aes = await scan(
      buildZip([{ name: 'a.pkl', data: PICKLE, method: 99, compressed: PICKLE, flags: 0x01 }]),
    );
    assert.deepEqual(
      aes.problems.map((p) => p.code),
      ['zip-encrypted'],
    );
  });

  it('reports a local name that differs from the central one and scans the bytes once', async () => {
    const context = await scan(
      buildZip([{ name: 'data.pkl', localName: 'datap.kl', data: PICKLE }]),
    );
    assert.deepEqual(checks(context), ['RS202 zip.local-name']);
    assert.deepEqual(names(context), ['data.pkl']);
  });

  it('reports local sizes that differ from the central ones and scans both readings', async () => {
    const data = Buffer.concat([PICKLE, TEXT]);
    const context = await scan(
      buildZip([
        { name: 'data.pkl', data, localSizes: { compressed: PICKLE.length, size: PICKLE.length } },
      ]),
    );
    assert.deepEqual(checks(context), ['RS202 zip.local-size']);
    assert.deepEqual(
      context.nested.map((n) => n.size).sort((a, b) => a - b),
      [PICKLE.length, data.length],
    );
  });

  it('reports duplicate names and scans both members', async () => {
    const context = await scan(
      buildZip([
        { name: 'data.pkl', data: TEXT },
        { name: 'data.pkl', data: PICKLE },
      ]),
    );
    assert.deepEqual(checks(context), ['RS203 zip.duplicate-name']);
    assert.equal(context.nested.length, 2);
  });

  it('reports names that leave the extraction folder', async () => {
    const bad = [
      '../../../etc/evil.txt',
      '/etc/passwd',
      'C:\\Windows\\x.dll',
      'a\\..\\..\\b',
      'ok/../../x',
    ];
    const context = await scan(
      buildZip([...bad, 'a/../b', 'a/./b', 'model/..data'].map((name) => ({ name, data: TEXT }))),
    );
    assert.deepEqual(
      context.findings.map((f) => f.evidence),
      bad,
    );
    assert.ok(context.findings.every((f) => f.rule === 'RS201'));
    assert.equal(context.nested.length, 8);
  });

  it('checks the Unicode Path name CPython prefers to the stored one', async () => {
    const context = await scan(
      buildZip([{ name: 'safe.txt', unicodePath: '../escape.pkl', data: PICKLE }]),
    );
    assert.deepEqual(
      context.findings.map((f) => [f.rule, f.evidence]),
      [['RS201', '../escape.pkl']],
    );
    assert.deepEqual(names(context), ['../escape.pkl']);
  });

  it('finds members behind prefixed bytes, as CPython does', async () => {
    const context = await scan(
      buildZip(
        [
          { name: 'data.pkl', data: PICKLE },
          { name: 'b', data: TEXT, method: 8 },
        ],
        { prefix: Buffer.from('#!/bin/sh\nexit 0\n') },
      ),
    );
    assert.deepEqual(
      [checks(context), context.problems, names(context)],
      [[], [], ['data.pkl', 'b']],
    );
  });

  it('reads zip64 end records and extra fields', async () => {
    const context = await scan(
      buildZip(
        [
          { name: 'data.pkl', data: PICKLE, zip64: true },
          { name: 'b', data: TEXT, zip64: true, method: 8 },
        ],
        { zip64: true, comment: 'x' },
      ),
    );
    assert.deepEqual(
      [checks(context), context.problems, names(context)],
      [[], [], ['data.pkl', 'b']],
    );
    assert.deepEqual(Buffer.from(context.nested[1]?.bytes ?? []), TEXT);
  });

  it('finds members that only a local header lists', async () => {
    const context = await scan(
      buildZip([
        { name: 'weights', data: TEXT },
        { name: 'payload.pkl', data: PICKLE, hidden: true },
        { name: 'version', data: Buffer.from('3') },
      ]),
    );
    assert.deepEqual(checks(context), ['RS202 zip.local-only']);
    assert.deepEqual(names(context), ['weights', 'payload.pkl', 'version']);
  });

  it('reports a central entry that points at no local header', async () => {
    const context = await scan(
      buildZip([
        { name: 'a', data: TEXT },
        { name: 'b', data: PICKLE, centralOffset: 5 },
      ]),
    );
    assert.deepEqual(checks(context).sort(), ['RS202 zip.local-offset', 'RS202 zip.local-only']);
    assert.deepEqual(names(context), ['a', 'b']);
  });

  it('walks local headers that an empty central directory leaves out', async () => {
    const context = await scan(
      buildZip(
        [
          { name: 'a', data: TEXT, hidden: true },
          { name: 'b.pkl', data: PICKLE, hidden: true },
        ],
        { directoryOffset: 0 },
      ),
    );
    assert.deepEqual(checks(context), ['RS202 zip.local-only', 'RS202 zip.local-only']);
    assert.deepEqual(names(context), ['a', 'b.pkl']);
  });

  it('reports an end record whose member count disagrees with the directory', async () => {
    const context = await scan(
      buildZip(
        [
          { name: 'a', data: TEXT },
          { name: 'b', data: PICKLE },
        ],
        { count: 1 },
      ),
    );
    assert.deepEqual(checks(context), ['RS202 zip.entry-count']);
  });

  it('walks local headers when there is no central directory', async () => {
    const whole = buildZip([
      { name: 'a', data: TEXT },
      { name: 'data.pkl', data: PICKLE, method: 8 },
    ]);
    const context = await scan(whole.subarray(0, whole.length - 22 - (46 + 1) - (46 + 8)));
    assert.deepEqual(
      context.problems.map((p) => p.code),
      ['zip-no-central-directory'],
    );
    assert.deepEqual(names(context), ['a', 'data.pkl']);
    assert.deepEqual(Buffer.from(context.nested[1]?.bytes ?? []), PICKLE);
  });

  it('decodes bzip2, LZMA and xz members and reports other methods', async () => {
    const context = await scan(
      buildZip([
        { name: 'bzip2', data: PICKLED, method: 12, compressed: BZIP2_MEMBER },
        { name: 'lzma', data: PICKLED, method: 14, compressed: LZMA_MEMBER, flags: 0x02 },
        { name: 'xz', data: PICKLED, method: 95, compressed: XZ_MEMBER },
        { name: 'zstd', data: PICKLE, method: 93, compressed: PICKLE },
      ]),
    );
    assert.deepEqual(
      context.problems.map((p) => p.code),
      ['zip-unsupported-method'],
    );
    assert.deepEqual(names(context), ['bzip2', 'lzma', 'xz']);
    for (const item of context.nested)
      assert.deepEqual(Buffer.from(item.bytes), PICKLED, item.name);
  });

  it('recurses through nested zips and .npz members', async () => {
    const npy = Buffer.concat([
      Buffer.from('\x93NUMPY\x01\x00\x76\x00', 'latin1'),
      Buffer.from("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }".padEnd(117) + '\n'),
      PICKLE,
    ]);
    const inner = buildZip([{ name: 'a.npy', data: npy, method: 8 }]);
    const dispatch: Dispatch = async (source, context) => {
      const head = await source.read(0, 8);
      if (head[0] === 0x50 && head[1] === 0x4b) await scanZip(source, context);
      else if (head[0] === 0x93) await scanNumpy(source, context);
    };
    const context = await scan(
      buildZip([{ name: 'arrays.npz', data: inner, method: 8 }]),
      {},
      dispatch,
    );
    const npz = context.nested[0]?.context;
    const array = npz?.nested[0]?.context;
    assert.deepEqual(
      array?.nested.map((n) => [n.name, n.hint]),
      [['<object array>', 'pickle']],
    );
    assert.deepEqual(Buffer.from(array.nested[0]?.bytes ?? []), PICKLE);
  });
});
