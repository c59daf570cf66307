/**
 * Allowlisted structures real frameworks write: torch state dicts (zip data.pkl and the legacy
 * stream), numpy arrays, scikit-learn Cython types and joblib inline arrays. None may produce a
 * finding at medium or above, nor a problem.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanTorchLegacy } from './index.js';
import * as op from './opcodes.js';
import { scanBytes, StreamSource } from './testing-context.js';
import { pickle, type PickleWriter } from './testing-writer.js';

/** `torch._utils._rebuild_tensor_v2(persistent_load(('storage', FloatStorage, key, 'cpu', 4)), ...)`. */
function tensor(w: PickleWriter, key: string): PickleWriter {
  return w
    .global('torch._utils', '_rebuild_tensor_v2')
    .mark()
    .mark()
    .str('storage')
    .global('torch', 'FloatStorage')
    .str(key)
    .str('cpu')
    .int(4)
    .op(op.TUPLE)
    .op(op.BINPERSID)
    .int(0)
    .tuple(2, 2)
    .tuple(2, 1)
    .op(op.NEWFALSE)
    .global('collections', 'OrderedDict')
    .op(op.EMPTY_TUPLE)
    .reduce()
    .op(op.TUPLE)
    .reduce();
}

function stateDict(): PickleWriter {
  const w = pickle().proto(2).global('collections', 'OrderedDict').op(op.EMPTY_TUPLE).reduce();
  w.put(0).mark().str('layer.weight');
  tensor(w, '0').str('layer.bias');
  return tensor(w, '1').op(op.SETITEMS).stop();
}

/** `numpy.dtype(descr, False, True)` with its BUILD state. */
function dtype(w: PickleWriter, descr: string, elsize = -1, flags = 0): PickleWriter {
  return w
    .stackGlobal('numpy', 'dtype')
    .tuple(descr, false, true)
    .reduce()
    .tuple(3, '<', null, null, null, elsize, -1, flags)
    .build();
}

/** joblib's NumpyArrayWrapper for `shape`/`descr`, BUILT with its state dict. */
function wrapper(w: PickleWriter, shape: number[], descr: string, aligned: boolean): PickleWriter {
  w.stackGlobal('joblib.numpy_pickle', 'NumpyArrayWrapper').op(op.EMPTY_TUPLE).newobj();
  w.op(op.EMPTY_DICT).mark().str('subclass').stackGlobal('numpy', 'ndarray');
  w.str('shape')
    .tuple(...shape)
    .str('order')
    .str('C')
    .str('dtype');
  dtype(w, descr, -1, descr.startsWith('O') ? 63 : 0);
  w.str('allow_mmap').value(!descr.startsWith('O'));
  if (aligned) w.str('numpy_array_alignment_bytes').int(16);
  return w.op(op.SETITEMS).build();
}

async function assertClean(bytes: Uint8Array): Promise<void> {
  for (const source of [undefined, new StreamSource(bytes, 5)]) {
    const context = await scanBytes(bytes, source ? { source } : {});
    assert.deepEqual(context.rules('medium'), []);
    assert.deepEqual(context.codes(), []);
  }
}

describe('torch', () => {
  it('accepts a state dict with BINPERSID storages and _rebuild_tensor_v2', async () => {
    const bytes = stateDict().bytes();
    await assertClean(bytes);
    assert.deepEqual((await scanBytes(bytes)).findings, []);
  });

  it('scans the five pickles of a legacy torch.save stream and ignores raw storages', async () => {
    const magic = [
      0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e,
    ];
    const legacy = pickle()
      .raw(magic)
      .raw(pickle().proto(2).int(1001).stop().bytes())
      .raw(pickle().proto(2).op(op.EMPTY_DICT).stop().bytes())
      .raw(stateDict().bytes())
      .raw(pickle().proto(2).mark().str('0').str('1').op(op.LIST).stop().bytes())
      .raw([4, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x93, 0x63, 0x0a, 0x52, 0x2e, 0, 0, 1, 2, 3, 4, 5])
      .bytes();
    await assertClean(legacy);
    const context = await scanBytes(legacy, { scanner: scanTorchLegacy });
    assert.deepEqual(context.findings, []);
    assert.deepEqual(context.codes(), []);
  });
});

describe('numpy and scikit-learn', () => {
  it('accepts numpy _reconstruct with dtype and array state', async () => {
    const w = pickle().proto(2).global('numpy.core.multiarray', '_reconstruct');
    w.global('numpy', 'ndarray').tuple(0);
    w.global('_codecs', 'encode').tuple('b', 'latin1').reduce().op(op.TUPLE3).reduce();
    w.mark().int(1).tuple(3);
    dtype(w, 'f8').op(op.NEWFALSE).bin(new Uint8Array(24)).op(op.TUPLE).build().stop();
    await assertClean(w.bytes());
  });

  it('accepts the legacy numpy.core._internal._reconstruct of very old object arrays', async () => {
    // As in numpy's own test data py2-np0-objarr.npy: _reconstruct(ndarray, (0,), 'b').
    const w = pickle().proto(2).global('numpy.core._internal', '_reconstruct');
    w.global('numpy', 'ndarray').tuple(0).str('b').op(op.TUPLE3).reduce();
    w.mark().int(1).tuple(1);
    dtype(w, 'O8').op(op.NEWFALSE).op(op.EMPTY_LIST).op(op.TUPLE).build().stop();
    await assertClean(w.bytes());
  });

  it('accepts sklearn Tree (a Cython type rebuilt by REDUCE) and numpy scalars', async () => {
    const w = pickle().proto(4).stackGlobal('sklearn.tree._tree', 'Tree').tuple(4, 1).reduce();
    w.op(op.EMPTY_DICT).build().pop();
    w.stackGlobal('numpy.core.multiarray', 'scalar');
    dtype(w, 'f8').bin(new Uint8Array(8)).op(op.TUPLE2).reduce().stop();
    await assertClean(w.bytes());
  });

  it('keeps an unknown class instantiated without its constructor at low', async () => {
    const proto0 =
      "ccopy_reg\n_reconstructor\n(c__main__\nModel\nc__builtin__\nobject\nNtR(dS'a'\nI1\nsb.";
    const context = await scanBytes(pickle().raw(proto0).bytes());
    assert.deepEqual(context.rules(), ['RS104']);
    assert.equal(context.of('RS104')[0]?.callable, '__main__.Model');
  });
});

describe('joblib inline arrays', () => {
  it('skips aligned array bytes after a NumpyArrayWrapper', async () => {
    const w = pickle().proto(4);
    wrapper(w, [3], 'f8', true).raw([3, 0xff, 0xff, 0xff]).raw(new Uint8Array(24).fill(0xff));
    await assertClean(w.stop().bytes());
  });

  it('skips unaligned array bytes (joblib before 1.2)', async () => {
    const w = pickle().proto(2).op(op.EMPTY_LIST);
    wrapper(w, [2, 2], 'i4', false).raw(new Uint8Array(16).fill(0xfe)).op(op.APPEND);
    await assertClean(w.stop().bytes());
  });

  it('scans the pickle inlined for an object array, and what it calls', async () => {
    const clean = pickle().proto(4).op(op.EMPTY_LIST);
    wrapper(clean, [1], 'O8', true);
    clean.raw(
      pickle()
        .proto(2)
        .global('collections', 'OrderedDict')
        .op(op.EMPTY_TUPLE)
        .reduce()
        .stop()
        .bytes(),
    );
    await assertClean(clean.op(op.APPEND).stop().bytes());

    const hostile = pickle().proto(4).op(op.EMPTY_LIST);
    wrapper(hostile, [1], 'O8', true);
    hostile.raw(pickle().proto(2).global('os', 'system').tuple('id').reduce().stop().bytes());
    const context = await scanBytes(hostile.op(op.APPEND).stop().bytes());
    assert.deepEqual(context.rules('medium'), ['RS101']);
  });

  it('reports a wrapper whose array size cannot be computed', async () => {
    const w = pickle().proto(4);
    w.stackGlobal('joblib.numpy_pickle', 'NumpyArrayWrapper').op(op.EMPTY_TUPLE).newobj();
    w.op(op.EMPTY_DICT).build().stop();
    const context = await scanBytes(w.bytes());
    assert.deepEqual(context.codes(), ['pickle-joblib-array']);
  });
});
