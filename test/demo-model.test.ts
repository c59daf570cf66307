import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { tempDir } from '../testkit/tmp.js';

const root = (file: string) => fileURLToPath(new URL(`../../${file}`, import.meta.url));
const trainer = fileURLToPath(new URL('../scripts/demo-model/train.js', import.meta.url));

describe('demo model trainer (scripts/demo-model)', () => {
  const out = tempDir();
  execFileSync(process.execPath, [trainer, '--out', out], {
    env: { RAMPART_DATA_IRIS: root('fixtures/demo/iris'), RAMPART_SEED: '7' },
  });

  it('reproduces the committed fixture byte for byte', () => {
    for (const file of ['iris-classifier.onnx', 'evaluation.json']) {
      assert.deepEqual(
        readFileSync(path.join(out, file)),
        readFileSync(root(`fixtures/demo/${file}`)),
        file,
      );
    }
  });

  it('writes an ONNX model that ONNX Runtime loads and that classifies iris', async () => {
    const session = await ort.InferenceSession.create(path.join(out, 'iris-classifier.onnx'));
    assert.deepEqual(session.inputNames, ['input']);
    assert.deepEqual(session.outputNames, ['probabilities', 'label']);
    const rows = [5.1, 3.5, 1.4, 0.2, 6.4, 3.2, 4.5, 1.5, 6.7, 3.0, 5.2, 2.3];
    const result = await session.run({
      input: new ort.Tensor('float32', Float32Array.from(rows), [3, 4]),
    });
    assert.deepEqual([...(result.label?.data as BigInt64Array)], [0n, 1n, 2n]);
    const evaluation = JSON.parse(readFileSync(path.join(out, 'evaluation.json'), 'utf8')) as {
      value: number;
      samples: number;
    };
    assert.equal(evaluation.samples, 45);
    assert.ok(evaluation.value >= 0.9, `held-out accuracy ${evaluation.value}`);
    await session.release();
  });
});
