/**
 * The bypass classes of scanners.md §4, each as a hand-built pickle: the dangerous call must
 * be reported at medium or above, and a malformed tail must never hide it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as op from './opcodes.js';
import { scanBytes } from './testing-context.js';
import { pickle } from './testing-writer.js';

describe('name resolution bypasses', () => {
  it('follows memo indirection without PROTO (picklescan malicious11)', async () => {
    const bytes = pickle()
      .raw('Vos\np2\n0Vsystem\np3\n0Vtorch\np0\n0VLongStorage\np1\n0g2\ng3\n')
      .op(op.STACK_GLOBAL)
      .raw('(Vcat flag.txt\ntR.')
      .bytes();
    const context = await scanBytes(bytes);
    assert.equal(context.of('RS101')[0]?.evidence, "os.system('cat flag.txt')");
  });

  it('resolves STACK_GLOBAL fed by protocol-0 STRING (GHSA-9gvj-pp9x-gcfr)', async () => {
    const context = await scanBytes(pickle().raw("S'os'\nS'system'\n\x93S'ls'\n\x85R.").bytes());
    assert.equal(context.of('RS101')[0]?.callable, 'os.system');
  });

  it('applies fix_imports below protocol 3 and still denies __builtin__ above it', async () => {
    for (const proto of [2, 3]) {
      const context = await scanBytes(
        pickle().proto(proto).global('__builtin__', 'eval').tuple('1').reduce().stop().bytes(),
      );
      assert.deepEqual(context.rules('medium'), ['RS101'], `protocol ${proto}`);
    }
  });

  it('treats dotted names as unknown unless exactly allowed (random._os.system)', async () => {
    const context = await scanBytes(
      pickle().proto(4).call('random', '_os.system', 'id').stop().bytes(),
    );
    assert.deepEqual(context.rules('medium'), ['RS103']);
  });

  it('denies dunder traversal (builtins.__dict__.get, object.__getattribute__)', async () => {
    for (const [module, name] of [
      ['builtins', '__dict__.get'],
      ['builtins', 'object.__getattribute__'],
      ['collections', 'OrderedDict.__reduce__'],
    ] as const) {
      const context = await scanBytes(pickle().proto(4).call(module, name, 'x').stop().bytes());
      assert.deepEqual(context.rules('medium'), ['RS101'], `${module}.${name}`);
    }
  });

  it('denies methods of denied classes (code.InteractiveInterpreter.runsource)', async () => {
    const context = await scanBytes(
      pickle()
        .proto(4)
        .call('code', 'InteractiveInterpreter.runsource', null, 'print(1)')
        .stop()
        .bytes(),
    );
    assert.equal(context.of('RS101')[0]?.callable, 'code.InteractiveInterpreter.runsource');
  });

  it('covers submodules of denied modules (CVE-2025-10157)', async () => {
    const context = await scanBytes(
      pickle()
        .proto(4)
        .call('asyncio.unix_events', '_UnixSubprocessTransport._start', null, 'id')
        .stop()
        .bytes(),
    );
    assert.deepEqual(context.rules('medium'), ['RS101']);
  });

  it('follows getattr to the attribute it returns (bdb.Bdb.run)', async () => {
    const bytes = pickle()
      .proto(2)
      .global('__builtin__', 'getattr')
      .global('bdb', 'Bdb')
      .str('run')
      .op(op.TUPLE2)
      .reduce()
      .mark()
      .op(op.NONE)
      .str('import os')
      .op(op.TUPLE)
      .reduce()
      .stop()
      .bytes();
    const context = await scanBytes(bytes);
    const callables = context.of('RS101').map((f) => f.callable);
    assert.deepEqual(callables, ['__builtin__.getattr', 'bdb.Bdb.run']);
  });

  it('checks the class that copy_reg._reconstructor instantiates (protocol 0)', async () => {
    const proto0 = 'ccopy_reg\n_reconstructor\n(csubprocess\nPopen\nc__builtin__\nobject\nNtR.';
    const context = await scanBytes(pickle().raw(proto0).bytes());
    assert.equal(context.of('RS101')[0]?.callable, 'subprocess.Popen');
  });

  it('follows __import__ to the module it returns', async () => {
    const bytes = pickle()
      .proto(2)
      .global('__builtin__', 'getattr')
      .global('__builtin__', '__import__')
      .tuple('os')
      .reduce()
      .str('system')
      .op(op.TUPLE2)
      .reduce()
      .tuple('id')
      .reduce()
      .stop()
      .bytes();
    const context = await scanBytes(bytes);
    const callables = context.of('RS101').map((f) => f.callable);
    assert.deepEqual(callables, ['__builtin__.__import__', '__builtin__.getattr', 'os.system']);
  });

  it('flags EXT codes, whose callable is hidden in the copyreg registry', async () => {
    const context = await scanBytes(pickle().proto(2).op(op.EXT1, [42, 1]).stop().bytes());
    assert.deepEqual(context.rules('medium'), ['RS106']);
  });

  it('flags a denied global that is only imported (nt/posix alias)', async () => {
    for (const module of ['nt', 'posix']) {
      const context = await scanBytes(
        pickle().proto(4).stackGlobal(module, 'system').stop().bytes(),
      );
      assert.deepEqual(context.rules(), ['RS102'], module);
    }
  });

  it('denies the scanners themselves (fickling ScannerDeactivation)', async () => {
    const context = await scanBytes(
      pickle().proto(4).call('picklescan.scanner', 'scan_pickle_bytes', 'x').stop().bytes(),
    );
    assert.deepEqual(context.rules('medium'), ['RS101']);
  });
});

describe('malformed tails never hide an earlier payload', () => {
  it('keyerror exploit: a missing memo key after the call', async () => {
    const bytes = pickle()
      .proto(4)
      .raw('cos\nsystem\n')
      .str('echo pwned')
      .op(op.TUPLE1)
      .reduce()
      .pop()
      .str('os')
      .memoize()
      .get(3)
      .get(0)
      .op(op.STACK_GLOBAL)
      .int(66)
      .stop()
      .bytes();
    const context = await scanBytes(bytes);
    assert.equal(context.of('RS101')[0]?.evidence, "os.system('echo pwned')");
    assert.ok(context.codes().includes('pickle-memo-missing'));
    assert.ok(context.rules().includes('RS107'), 'the discarded result is reported');
  });

  it('type confusion: a non-string STACK_GLOBAL operand is an unknown callable', async () => {
    const bytes = pickle()
      .proto(4)
      .call('os', 'system', 'id')
      .pop()
      .int(42)
      .str('os')
      .op(op.STACK_GLOBAL)
      .stop()
      .bytes();
    const context = await scanBytes(bytes);
    assert.deepEqual(context.rules('medium'), ['RS101', 'RS103']);
  });

  it('payload then garbage: the call is kept and the garbage is a problem', async () => {
    const bytes = pickle().proto(4).call('os', 'system', 'id').raw([0xff, 0xfe]).bytes();
    const context = await scanBytes(bytes);
    assert.deepEqual(context.rules('medium'), ['RS101']);
    assert.deepEqual(context.codes(), ['pickle-invalid-opcode']);
  });

  it('truncated after the call', async () => {
    const bytes = pickle()
      .proto(4)
      .call('os', 'system', 'id')
      .op(op.BINUNICODE, [99, 4])
      .raw('ab')
      .bytes();
    const context = await scanBytes(bytes);
    assert.deepEqual(context.rules('medium'), ['RS101']);
    assert.deepEqual(context.codes(), ['pickle-truncated']);
  });
});

describe('hiding places', () => {
  it('scans stacked pickles after STOP', async () => {
    const bytes = pickle()
      .proto(4)
      .str('benign')
      .stop()
      .proto(4)
      .call('builtins', 'eval', '1')
      .stop()
      .bytes();
    const context = await scanBytes(bytes);
    assert.deepEqual(context.rules('medium'), ['RS101']);
  });

  it('is not fooled by decoys imported then popped', async () => {
    const w = pickle().proto(4);
    for (const name of ['Tensor', 'nn.Module', 'nn.Linear']) w.stackGlobal('torch', name).pop();
    w.stackGlobal('collections', 'OrderedDict').pop().call('os', 'system', 'id').stop();
    const context = await scanBytes(w.bytes());
    assert.deepEqual(context.rules('medium'), ['RS101']);
  });

  it('sees OBJ + POP (GHSA-mxhj-88fx-4pcv)', async () => {
    const bytes = pickle()
      .proto(1)
      .mark()
      .global('os', 'system')
      .str('id')
      .op(op.OBJ)
      .pop()
      .op(op.NONE)
      .stop()
      .bytes();
    const context = await scanBytes(bytes);
    assert.deepEqual(context.rules(), ['RS101', 'RS107']);
  });

  it('sees INST', async () => {
    const context = await scanBytes(pickle().mark().str('id').raw('ios\nsystem\n').stop().bytes());
    assert.equal(context.of('RS101')[0]?.evidence, "os.system('id')");
  });

  it('sees NEWOBJ_EX of a denied class', async () => {
    const bytes = pickle()
      .proto(4)
      .stackGlobal('subprocess', 'Popen')
      .tuple('id')
      .op(op.EMPTY_DICT)
      .op(op.NEWOBJ_EX)
      .stop()
      .bytes();
    const context = await scanBytes(bytes);
    assert.equal(context.of('RS101')[0]?.callable, 'subprocess.Popen');
  });

  it('flags BUILD on a module object (module attribute overwrite)', async () => {
    const bytes = pickle()
      .proto(4)
      .stackGlobal('torch', '_utils')
      .op(op.EMPTY_DICT)
      .str('_rebuild_tensor')
      .str('eval')
      .op(op.SETITEM)
      .build()
      .stop()
      .bytes();
    const context = await scanBytes(bytes);
    assert.deepEqual(context.rules('medium'), ['RS103']);
  });

  it('keeps BUILD via __setstate__ on an unknown class low (NEWOBJ + BUILD)', async () => {
    const bytes = pickle()
      .proto(4)
      .stackGlobal('__main__', 'Net')
      .op(op.EMPTY_TUPLE)
      .newobj()
      .op(op.EMPTY_DICT)
      .build()
      .stop()
      .bytes();
    const context = await scanBytes(bytes);
    assert.deepEqual(context.rules(), ['RS104']);
  });

  it('reports a callable that torch _rebuild_from_type_v2 would call', async () => {
    const bytes = pickle()
      .proto(2)
      .global('torch._utils', '_rebuild_from_type_v2')
      .mark()
      .global('os', 'system')
      .global('torch', 'Tensor')
      .tuple('id')
      .op(op.EMPTY_DICT)
      .op(op.TUPLE)
      .reduce()
      .stop()
      .bytes();
    const context = await scanBytes(bytes);
    assert.deepEqual(context.rules('medium'), ['RS101']);
    assert.equal(context.of('RS101')[0]?.evidence, "os.system('id')");
  });
});
