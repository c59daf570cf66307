/**
 * Content sniffing: real pickles of every protocol are recognised, plain text and other
 * formats are not.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTorchLegacy, looksLikePickle } from './index.js';
import { pickle } from './testing-writer.js';

/** Latin-1 bytes of `s`. */
const text = (s: string): Uint8Array => pickle().raw(s).bytes();

describe('looksLikePickle', () => {
  it('accepts PROTO 2–5 at once', () => {
    for (const proto of [2, 3, 4, 5]) assert.ok(looksLikePickle(Uint8Array.of(0x80, proto)));
  });

  it('accepts protocol-0/1 pickles that reach STOP or import a global', () => {
    const cases = [
      "cos\nsystem\n(S'ls'\ntR.",
      'cos\nsystem\n',
      "(lp0\nS'a'\np1\naS'b'\np2\na.",
      'Vos\np2\n0Vsystem\np3\n0g2\ng3\n\x93(Vcat flag.txt\ntR.\n\n\t\t',
      "S'os'\nS'system'\n\x93S'ls'\n\x85R.",
      'N.',
    ];
    for (const source of cases) assert.ok(looksLikePickle(text(source)), JSON.stringify(source));
    assert.ok(looksLikePickle(pickle().mark().int(1).int(2).raw('l.').bytes()));
  });

  it('accepts a long protocol-0 pickle cut off by the head', () => {
    const w = pickle().raw('(lp0\n');
    for (let i = 0; i < 100; i++) w.raw(`I${i}\na`);
    assert.ok(looksLikePickle(w.bytes()));
  });

  it('rejects text files and other formats', () => {
    const cases = [
      'MIT License\n\nCopyright (c) 2024\n',
      'feature1,feature2,feature3,target\n0.1,0.2,0.3,1\n',
      '{"model": "x", "layers": [1, 2]}',
      'key: value\nlist:\n  - a\n',
      '{% for m in messages %}{{ m.content }}{% endfor %}',
      'import os\nos.system("ls")\n',
      'Notes about the model\n',
      '',
      '.',
    ];
    for (const source of cases) assert.ok(!looksLikePickle(text(source)), JSON.stringify(source));
    assert.ok(!looksLikePickle(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)));
    assert.ok(!looksLikePickle(text('PK\x03\x04\x14\x00\x00\x00')));
    assert.ok(!looksLikePickle(text('cmod\n\xf8\n')));
  });
});

describe('isTorchLegacy', () => {
  const magic = Uint8Array.of(
    0x80,
    2,
    0x8a,
    10,
    0x6c,
    0xfc,
    0x9c,
    0x46,
    0xf9,
    0x20,
    0x6a,
    0xa8,
    0x50,
    0x19,
    0x2e,
  );

  it('recognises the magic-number pickle', () => {
    assert.ok(isTorchLegacy(magic));
    assert.ok(isTorchLegacy(Uint8Array.of(...magic, 0x80, 2)));
  });

  it('rejects anything else', () => {
    assert.ok(!isTorchLegacy(magic.subarray(0, 14)));
    assert.ok(!isTorchLegacy(Uint8Array.of(...magic.subarray(0, 14), 0x2f)));
    assert.ok(!isTorchLegacy(pickle().proto(2).int(1).stop().bytes()));
  });
});
