/**
 * Every opcode family of protocols 0–5, observed through what the simulator reports: values
 * show up in the evidence of a call to a denied callable (`os.system(...)`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as op from './opcodes.js';
import { scanBytes } from './testing-context.js';
import { pickle, type PickleWriter } from './testing-writer.js';

/** `os.system(<what build pushes>)` as protocol 4, returning the RS101 evidence. */
async function evidenceOf(build: (w: PickleWriter) => PickleWriter): Promise<string | undefined> {
  const w = pickle().proto(4).stackGlobal('os', 'system').mark();
  const context = await scanBytes(build(w).op(op.TUPLE).reduce().stop().bytes());
  assert.deepEqual(context.codes(), [], 'no problem');
  return context.of('RS101')[0]?.evidence;
}

describe('integers', () => {
  it('reads BININT1, BININT2, BININT, LONG1 and LONG4', async () => {
    const evidence = await evidenceOf((w) =>
      w
        .int(7)
        .int(300)
        .int(-5)
        .op(op.LONG1, [2, 1], [0xff7f, 2])
        .op(op.LONG4, [1, 4], [0x80, 1])
        .op(op.LONG1, [9, 1], [0, 8], [1, 1]),
    );
    assert.equal(evidence, 'os.system(7, 300, -5, -129, -128, <int>)');
  });

  it('reads protocol-0 INT and LONG lines, including the I01/I00 booleans', async () => {
    const evidence = await evidenceOf((w) =>
      w.raw('I42\n').raw('I01\n').raw('I00\n').raw('L-12L\n').raw('I0x10\n'),
    );
    assert.equal(evidence, 'os.system(42, True, False, -12, 16)');
  });

  it('pushes None and the booleans', async () => {
    const evidence = await evidenceOf((w) => w.op(op.NONE).op(op.NEWTRUE).op(op.NEWFALSE));
    assert.equal(evidence, 'os.system(None, True, False)');
  });
});

describe('floats', () => {
  it('reads BINFLOAT and FLOAT lines', async () => {
    const evidence = await evidenceOf((w) => w.float().raw('F1.5e3\n'));
    assert.equal(evidence, 'os.system(<float>, <float>)');
  });

  it('reports a malformed FLOAT line as a problem', async () => {
    const context = await scanBytes(pickle().raw('Fabc\n').stop().bytes());
    assert.deepEqual(context.codes(), ['pickle-invalid-text']);
  });
});

describe('strings and bytes', () => {
  it('reads every binary str opcode', async () => {
    const evidence = await evidenceOf((w) =>
      w
        .str('short')
        .op(op.BINUNICODE, [4, 4])
        .raw('long')
        .op(op.BINUNICODE8, [2, 8])
        .raw('u8')
        .op(op.SHORT_BINSTRING, [2, 1])
        .raw('py')
        .op(op.BINSTRING, [2, 4])
        .raw('p2'),
    );
    assert.equal(evidence, "os.system('short', 'long', 'u8', 'py', 'p2')");
  });

  it('decodes protocol-0 STRING escapes and UNICODE raw escapes', async () => {
    const evidence = await evidenceOf((w) =>
      w.raw("S'a\\'b\\n\\x41\\101'\n").raw('S"dq"\n').raw('V\\u00e9t\\u00e9\n'),
    );
    assert.equal(evidence, "os.system('a\\'b\\nAA', 'dq', 'été')");
  });

  it('reads every bytes opcode', async () => {
    const evidence = await evidenceOf((w) =>
      w
        .bin(Uint8Array.of(1, 0x41))
        .op(op.BINBYTES, [1, 4])
        .raw('B')
        .op(op.BINBYTES8, [1, 8])
        .raw('C')
        .op(op.BYTEARRAY8, [1, 8])
        .raw('D'),
    );
    assert.equal(evidence, "os.system(b'\\x01A', b'B', b'C', b'D')");
  });

  it('rejects an unquoted STRING', async () => {
    const context = await scanBytes(pickle().raw('Sabc\n').stop().bytes());
    assert.deepEqual(context.codes(), ['pickle-invalid-text']);
  });
});

describe('containers', () => {
  it('builds tuples and lists', async () => {
    const evidence = await evidenceOf((w) =>
      w
        .op(op.EMPTY_TUPLE)
        .int(1)
        .op(op.TUPLE1)
        .int(1)
        .int(2)
        .op(op.TUPLE2)
        .int(1)
        .int(2)
        .int(3)
        .op(op.TUPLE3)
        .op(op.EMPTY_LIST)
        .int(1)
        .op(op.APPEND)
        .mark()
        .int(2)
        .int(3)
        .op(op.APPENDS)
        .mark()
        .int(4)
        .op(op.LIST),
    );
    assert.equal(evidence, 'os.system((), (1,), (1, 2), (1, 2, 3), [1, 2, 3], [4])');
  });

  it('builds dicts, sets and frozensets', async () => {
    const evidence = await evidenceOf((w) =>
      w
        .op(op.EMPTY_DICT)
        .str('k')
        .int(1)
        .op(op.SETITEM)
        .mark()
        .str('j')
        .int(2)
        .op(op.SETITEMS)
        .mark()
        .str('d')
        .int(3)
        .op(op.DICT)
        .op(op.EMPTY_SET)
        .mark()
        .int(5)
        .op(op.ADDITEMS)
        .mark()
        .int(6)
        .op(op.FROZENSET),
    );
    assert.equal(evidence, "os.system({'k': 1, 'j': 2}, {'d': 3}, {5}, frozenset({6}))");
  });

  it('truncates long containers in evidence', async () => {
    const evidence = await evidenceOf((w) => {
      w.mark();
      for (let i = 0; i < 100; i++) w.int(i);
      return w.op(op.LIST);
    });
    assert.equal(evidence, 'os.system([0, 1, 2, 3, 4, 5, …])');
  });
});

describe('memo, marks and stack', () => {
  it('stores and reads the memo with every PUT/GET form', async () => {
    const evidence = await evidenceOf((w) =>
      w
        .str('a')
        .raw('p7\n')
        .str('b')
        .put(1)
        .str('c')
        .put(300)
        .str('d')
        .memoize()
        .op(op.POP_MARK)
        .mark()
        .raw('g7\n')
        .get(1)
        .get(300)
        .get(3),
    );
    assert.equal(evidence, "os.system('a', 'b', 'c', 'd')");
  });

  it('duplicates with DUP and discards with POP and POP_MARK', async () => {
    const evidence = await evidenceOf((w) =>
      w.int(1).op(op.DUP).int(9).pop().mark().int(8).op(op.POP_MARK).mark().pop(),
    );
    assert.equal(evidence, 'os.system(1, 1)');
  });

  it('reports a GET of a missing memo entry and keeps going', async () => {
    const context = await scanBytes(
      pickle().proto(4).get(5).pop().call('os', 'system', 'id').stop().bytes(),
    );
    assert.deepEqual(context.codes(), ['pickle-memo-missing']);
    assert.deepEqual(context.rules('medium'), ['RS101']);
  });

  it('reports a stack underflow without crashing', async () => {
    const context = await scanBytes(pickle().pop().reduce().op(op.NONE).stop().bytes());
    assert.ok(context.codes().includes('pickle-stack-underflow'));
  });
});

describe('protocol framing and buffers', () => {
  it('reads PROTO 5 with FRAME, NEXT_BUFFER and READONLY_BUFFER linearly', async () => {
    const body = pickle().op(op.NEXT_BUFFER).op(op.READONLY_BUFFER).pop().call('os', 'system', 'x');
    const bytes = body.bytes();
    const context = await scanBytes(
      pickle()
        .proto(5)
        .frame(bytes.length + 1)
        .raw(bytes)
        .stop()
        .bytes(),
    );
    assert.deepEqual(context.codes(), []);
    assert.equal(context.of('RS101')[0]?.evidence, "os.system('x')");
  });

  it('treats persistent ids as data', async () => {
    const context = await scanBytes(
      pickle()
        .proto(2)
        .tuple('storage', 'key')
        .op(op.BINPERSID)
        .raw('Pabc\n')
        .op(op.TUPLE2)
        .stop()
        .bytes(),
    );
    assert.deepEqual(context.findings, []);
    assert.deepEqual(context.codes(), []);
  });

  it('reports an unsupported protocol', async () => {
    const context = await scanBytes(pickle().proto(9).op(op.NONE).stop().bytes());
    assert.deepEqual(context.codes(), ['pickle-unsupported-protocol']);
  });

  it('stops at a byte that is not an opcode', async () => {
    const context = await scanBytes(pickle().proto(4).raw([0xff]).bytes());
    assert.deepEqual(context.codes(), ['pickle-invalid-opcode']);
  });
});

describe('calls in every protocol', () => {
  const cases: [string, Uint8Array][] = [
    ['protocol 0 GLOBAL', pickle().raw("cos\nsystem\n(S'ls'\ntR.").bytes()],
    ['protocol 1 INST', pickle().mark().raw("S'ls'\n").raw('ios\nsystem\n').stop().bytes()],
    ['protocol 1 OBJ', pickle().mark().global('os', 'system').str('ls').op(op.OBJ).stop().bytes()],
    [
      'protocol 2 NEWOBJ',
      pickle().proto(2).global('os', 'system').tuple('ls').newobj().stop().bytes(),
    ],
    [
      'protocol 3 REDUCE',
      pickle().proto(3).global('os', 'system').tuple('ls').reduce().stop().bytes(),
    ],
    [
      'protocol 4 NEWOBJ_EX',
      pickle()
        .proto(4)
        .stackGlobal('os', 'system')
        .tuple('ls')
        .op(op.EMPTY_DICT)
        .op(op.NEWOBJ_EX)
        .stop()
        .bytes(),
    ],
    ['protocol 5 REDUCE', pickle().proto(5).call('os', 'system', 'ls').stop().bytes()],
  ];
  for (const [name, bytes] of cases) {
    it(`flags os.system called with ${name}`, async () => {
      const context = await scanBytes(bytes);
      assert.deepEqual(context.codes(), []);
      assert.deepEqual(context.rules('medium'), ['RS101']);
      assert.equal(context.of('RS101')[0]?.callable, 'os.system');
    });
  }

  it('flags every EXT code form', async () => {
    for (const ext of [
      pickle().op(op.EXT1, [1, 1]),
      pickle().op(op.EXT2, [0x1234, 2]),
      pickle().op(op.EXT4, [0x123456, 4]),
    ]) {
      const context = await scanBytes(ext.tuple().reduce().stop().bytes());
      assert.deepEqual(context.rules('medium'), ['RS106', 'RS103']);
    }
  });
});
