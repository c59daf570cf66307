import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferSource } from '../source.js';
import { sniffProtobuf } from './protobuf-sniff.js';
import { encode } from './proto-writer.js';

// ir_version, a graph with one Relu node, opset_import.
const ONNX = encode([
  [1, 9],
  [7, [[1, [[4, 'Relu']]]]],
  [
    8,
    [
      [1, ''],
      [2, 17],
    ],
  ],
]);

describe('sniffProtobuf', () => {
  it('recognises ONNX and TensorFlow files by name and structure', async () => {
    const onnx = new BufferSource(ONNX);
    assert.equal(await sniffProtobuf(onnx, 'dir/model.onnx'), 'onnx');
    assert.equal(await sniffProtobuf(onnx, 'model.bin'), undefined);
    const saved = new BufferSource(
      encode([
        [1, 1],
        [
          2,
          [
            [
              2,
              [
                [
                  1,
                  [
                    [1, 'c'],
                    [2, 'Const'],
                  ],
                ],
              ],
            ],
          ],
        ],
      ]),
    );
    assert.equal(await sniffProtobuf(saved, 'saved_model.pb'), 'savedmodel');
    const frozen = new BufferSource(
      encode([
        [
          1,
          [
            [1, 'c'],
            [2, 'Const'],
          ],
        ],
        [4, [[1, 1]]],
      ]),
    );
    assert.equal(await sniffProtobuf(frozen, 'frozen_graph.PB'), 'savedmodel');
  });

  it('does not take other TensorFlow protobufs (keras_metadata.pb) for a graph', async () => {
    const metadata = encode([
      [
        1,
        [
          [3, 'root'],
          [5, '_tf_keras_model'],
          [6, '{"class_name": "Sequential"}'],
        ],
      ],
    ]);
    assert.equal(await sniffProtobuf(new BufferSource(metadata), 'keras_metadata.pb'), undefined);
  });

  it('rejects text, random bytes and empty files whatever their names', async () => {
    const text = new BufferSource(new TextEncoder().encode('Hello, this is not a model\n'));
    assert.equal(await sniffProtobuf(text, 'model.onnx'), undefined);
    assert.equal(await sniffProtobuf(text, 'saved_model.pb'), undefined);
    assert.equal(await sniffProtobuf(new BufferSource(new Uint8Array(0)), 'model.onnx'), undefined);
    const lengthPastEnd = new BufferSource(Uint8Array.from([0x3a, 0x7f, 0x01]));
    assert.equal(await sniffProtobuf(lengthPastEnd, 'model.onnx'), undefined);
  });
});
