import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as h5 from 'h5wasm';
import { scanSource } from '../engine.js';
import { BufferSource, FileSource } from '../source.js';
import fc from 'fast-check';
import { sharedRoot } from '../../../testkit/paths.js';
import { mutated, run } from './fake-context.js';
import { looksLikeHdf5, scanHdf5 } from './hdf5.js';
import { walkKerasConfig } from './keras.js';

const PEERS = path.join(sharedRoot, 'vectors', 'scanner-peers', 'modelaudit');

const dense = (name: string): object => ({
  module: 'keras.layers',
  class_name: 'Dense',
  config: {
    name,
    units: 4,
    activation: 'relu',
    kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: {} },
  },
  registered_name: null,
});

// Keras 3: a Functional model whose second layer is a Sequential holding a Lambda.
const NESTED = {
  module: 'keras',
  class_name: 'Functional',
  config: {
    name: 'outer',
    layers: [
      dense('d1'),
      {
        module: 'keras',
        class_name: 'Sequential',
        config: {
          layers: [
            dense('d2'),
            {
              module: 'keras.layers',
              class_name: 'Lambda',
              config: {
                name: 'evil',
                function: {
                  class_name: '__lambda__',
                  config: { code: 'YmFzZTY0IGJ5dGVjb2Rl', defaults: null, closure: null },
                },
              },
            },
          ],
        },
      },
    ],
  },
  registered_name: 'Functional',
};

describe('walkKerasConfig', () => {
  it('passes a plain Keras model', () => {
    const model = {
      module: 'keras',
      class_name: 'Sequential',
      config: { layers: [dense('a'), dense('b')] },
    };
    assert.deepEqual(walkKerasConfig(model), []);
  });

  it('finds a Lambda nested in a Sequential inside a Functional model, once', () => {
    const findings = walkKerasConfig(NESTED);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.rule, 'RS304');
    assert.equal(findings[0].evidence, 'YmFzZTY0IGJ5dGVjb2Rl');
  });

  it('quotes Keras 2 Lambda source and bytecode', () => {
    const source = {
      class_name: 'Lambda',
      config: { function: "lambda x: eval('1')", function_type: 'lambda' },
    };
    assert.equal(walkKerasConfig(source)[0]?.evidence, "lambda: lambda x: eval('1')");
    const bytecode = {
      class_name: 'Lambda',
      config: { function: ['4wEAAAAA', null, null], function_type: 'lambda' },
    };
    assert.equal(walkKerasConfig(bytecode)[0]?.evidence, 'lambda: 4wEAAAAA');
  });

  it('finds serialised lambdas used outside Lambda layers', () => {
    const activation = {
      ...dense('a'),
      config: { activation: { class_name: '__lambda__', config: { code: 'abc' } } },
    };
    assert.deepEqual(
      walkKerasConfig(activation).map((f) => f.rule),
      ['RS304'],
    );
  });

  it('flags modules outside Keras (CVE-2025-1550), critical for command runners', () => {
    const os = {
      module: 'os',
      class_name: 'function',
      config: 'system',
      registered_name: 'function',
    };
    assert.deepEqual(
      walkKerasConfig({ ...dense('a'), config: { activation: os } }).map((f) => [
        f.rule,
        f.severity,
        f.callable,
      ]),
      [['RS305', 'critical', 'os.system']],
    );
    const custom = { module: 'my_package.layers', class_name: 'MyLayer', config: {} };
    assert.deepEqual(
      walkKerasConfig(custom).map((f) => [f.rule, f.severity]),
      [['RS305', 'high']],
    );
  });

  it('flags Keras functions that fetch files or switch safe mode off', () => {
    const getFile = { module: 'keras.utils', class_name: 'function', config: 'get_file' };
    assert.deepEqual(
      walkKerasConfig(getFile).map((f) => f.severity),
      ['critical'],
    );
    const unsafe = {
      module: 'keras.config',
      class_name: 'function',
      config: 'enable_unsafe_deserialization',
    };
    assert.deepEqual(
      walkKerasConfig(unsafe).map((f) => f.severity),
      ['critical'],
    );
    const relu = { module: 'keras.activations', class_name: 'function', config: 'relu' };
    assert.deepEqual(walkKerasConfig(relu), []);
  });

  it('flags TorchModuleWrapper (CVE-2025-49655)', () => {
    const wrapper = {
      module: 'keras.layers',
      class_name: 'TorchModuleWrapper',
      config: { module: 'gASV...' },
    };
    assert.deepEqual(
      walkKerasConfig(wrapper).map((f) => f.rule),
      ['RS305'],
    );
  });

  it('reports custom registered objects from outside Keras', () => {
    const registered = { class_name: 'MyLayer', config: {}, registered_name: 'my_pkg>MyLayer' };
    assert.deepEqual(
      walkKerasConfig(registered).map((f) => [f.rule, f.severity]),
      [['RS305', 'medium']],
    );
    const hub = {
      class_name: 'BertBackbone',
      config: {},
      registered_name: 'keras_hub>BertBackbone',
    };
    assert.deepEqual(walkKerasConfig(hub), []);
  });

  it('walks huge arrays without spreading them onto the call stack', () => {
    const big = {
      class_name: 'Model',
      config: { data: new Array(500_000).fill(0), layers: [{ class_name: 'Lambda', config: {} }] },
    };
    assert.deepEqual(
      walkKerasConfig(big).map((f) => f.rule),
      ['RS304'],
    );
  });

  it('survives deep and cyclic-looking input without recursion', () => {
    let deep: object = { class_name: 'Lambda', config: {} };
    for (let i = 0; i < 100_000; i++) deep = { class_name: 'Wrapper', config: { layer: deep } };
    assert.deepEqual(
      walkKerasConfig(deep).map((f) => f.rule),
      ['RS304'],
    );
  });
});

/** An HDF5 file made with h5wasm in memory, with the given root attributes. */
async function hdf5(attributes: Record<string, string>): Promise<Uint8Array> {
  const module = await h5.ready;
  const path = '/keras-test.h5';
  const file = new h5.File(path, 'w');
  for (const [name, value] of Object.entries(attributes)) file.create_attribute(name, value);
  file.create_group('model_weights');
  file.close();
  const bytes = module.FS.readFile(path);
  module.FS.unlink(path);
  return bytes;
}

describe('scanHdf5', () => {
  it('reads the peer .h5 files from disk: a Lambda is flagged, a Dense model is clean', async () => {
    for (const [name, rules] of [
      ['samples__keras__malicious_lambda.h5', ['RS304']],
      ['samples__keras__safe_model.h5', []],
    ] as const) {
      const source = await FileSource.open(`${PEERS}/${name}`);
      try {
        const { findings, problems } = await run(scanHdf5, source);
        assert.deepEqual(
          findings.map((f) => f.rule),
          rules,
          name,
        );
        assert.deepEqual(problems, [], name);
      } finally {
        await source.close();
      }
    }
  });

  it('reads HDF5 bytes from an archive in memory', async () => {
    const bytes = readFileSync(`${PEERS}/samples__keras__malicious_lambda.h5`);
    const { findings } = await run(scanHdf5, new BufferSource(bytes));
    assert.deepEqual(
      findings.map((f) => f.rule),
      ['RS304'],
    );
  });

  it('walks model_config and training_config', async () => {
    const bytes = await hdf5({
      model_config: JSON.stringify(NESTED),
      training_config: JSON.stringify({
        loss: { module: 'subprocess', class_name: 'function', config: 'call' },
      }),
    });
    assert.equal(looksLikeHdf5(bytes), true);
    const { findings } = await run(scanHdf5, new BufferSource(bytes));
    assert.deepEqual(
      findings.map((f) => `${f.rule}:${f.severity ?? ''}`),
      ['RS304:', 'RS305:critical'],
    );
  });

  it('reports unreadable, oversized and non-JSON content as problems', async () => {
    const broken = readFileSync(`${PEERS}/samples__keras__safe_model.h5`).subarray(0, 100);
    assert.deepEqual(
      (await run(scanHdf5, new BufferSource(broken))).problems.map((p) => p.code),
      ['hdf5-unreadable'],
    );
    const big = readFileSync(`${PEERS}/samples__keras__safe_model.h5`);
    assert.deepEqual(
      (await run(scanHdf5, new BufferSource(big), { maxHeaderBytes: 100 })).problems.map(
        (p) => p.code,
      ),
      ['hdf5-too-large'],
    );
    const text = await hdf5({ model_config: 'not json' });
    assert.deepEqual(
      (await run(scanHdf5, new BufferSource(text))).problems.map((p) => p.code),
      ['hdf5-config-invalid'],
    );
  });

  it('never throws on mutated HDF5 bytes', async () => {
    const seed = readFileSync(`${PEERS}/samples__keras__malicious_lambda.h5`);
    await fc.assert(
      fc.asyncProperty(mutated([seed]), async (bytes) => {
        looksLikeHdf5(bytes);
        await run(scanHdf5, new BufferSource(bytes));
      }),
      { numRuns: 100 },
    );
  });
});

describe('looksLikeHdf5', () => {
  it('finds the signature at 0 or after a user block', () => {
    const signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
    const at = (offset: number): Uint8Array => {
      const head = new Uint8Array(4096);
      head.set(signature, offset);
      return head;
    };
    assert.equal(looksLikeHdf5(at(0)), true);
    assert.equal(looksLikeHdf5(at(512)), true);
    assert.equal(looksLikeHdf5(at(2048)), true);
    assert.equal(looksLikeHdf5(at(100)), false);
    assert.equal(looksLikeHdf5(new Uint8Array(3)), false);
  });
});

describe('trusted Keras classes', () => {
  it('drops a module finding the user allows, but never a critical one', async () => {
    const config = {
      class_name: 'Sequential',
      config: {
        layers: [
          { module: 'mypkg.layers', class_name: 'MyLayer', config: { name: 'l' } },
          { module: 'os', class_name: 'system', config: {} },
        ],
      },
    };
    const bytes = new TextEncoder().encode(JSON.stringify(config));
    const callables = async (allow?: string[]) =>
      (
        await scanSource(
          new BufferSource(bytes),
          'config.json',
          allow ? { allowGlobals: allow } : {},
        )
      ).findings.map((f) => f.callable);
    assert.deepEqual((await callables()).sort(), ['mypkg.layers.MyLayer', 'os.system']);
    assert.deepEqual(await callables(['mypkg.layers.MyLayer', 'os.system']), ['os.system']);
  });
});
