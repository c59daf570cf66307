/**
 * Nested loaders: a pickle that hands bytes to another deserialiser is reported (RS105) and
 * the bytes are scanned as a nested pickle; bytes that are only stored are left alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as op from './opcodes.js';
import { scanBytes } from './testing-context.js';
import { pickle } from './testing-writer.js';

describe('nested loaders', () => {
  it('reports pickle.loads and scans the inner pickle', async () => {
    const inner = pickle().proto(4).call('os', 'system', 'inner').stop().bytes();
    const bytes = pickle().proto(4).call('pickle', 'loads', inner).stop().bytes();
    const context = await scanBytes(bytes);
    assert.deepEqual(context.rules('medium'), ['RS105', 'RS101']);
    const innerFinding = context.of('RS101')[0];
    assert.equal(innerFinding?.evidence, "os.system('inner')");
    assert.match(innerFinding.member, /^<nested pickle @\d+>$/);
  });

  it('follows _codecs.encode bytes into the nested scan (protocol 2)', async () => {
    const bytes = pickle()
      .proto(2)
      .global('_pickle', 'loads')
      .global('_codecs', 'encode')
      .str("cos\nsystem\n(S'id'\ntR.")
      .str('latin1')
      .op(op.TUPLE2)
      .reduce()
      .op(op.TUPLE1)
      .reduce()
      .stop()
      .bytes();
    const context = await scanBytes(bytes);
    assert.deepEqual(context.rules('medium'), ['RS105', 'RS101']);
  });

  it('does not scan bytes that merely sit in a dict', async () => {
    const inner = pickle().proto(4).call('os', 'system', 'inert').stop().bytes();
    const bytes = pickle().proto(4).op(op.EMPTY_DICT).str('blob').bin(inner).op(op.SETITEM).stop();
    const context = await scanBytes(bytes.bytes());
    assert.deepEqual(context.findings, []);
    assert.deepEqual(context.nested, []);
  });

  it('reports a loader that gets a file name but does not scan the name', async () => {
    const context = await scanBytes(
      pickle().proto(4).call('torch', 'load', 'model.pt').stop().bytes(),
    );
    assert.deepEqual(context.rules('medium'), ['RS105']);
    assert.deepEqual(context.nested, []);
    assert.deepEqual(context.codes(), []);
  });

  it('scans a payload wrapped in io.BytesIO', async () => {
    const inner = pickle().proto(2).global('os', 'system').tuple('x').reduce().stop().bytes();
    const bytes = pickle()
      .proto(4)
      .stackGlobal('torch', 'load')
      .call('io', 'BytesIO', inner)
      .op(op.TUPLE1)
      .reduce()
      .stop()
      .bytes();
    const context = await scanBytes(bytes);
    assert.ok(context.rules('medium').includes('RS105'));
    assert.equal(context.of('RS101')[0]?.member.startsWith('<nested pickle'), true);
  });
});
