import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileSource, type ByteSource } from '../source.js';
import fc from 'fast-check';
import { sharedRoot } from '../../../testkit/paths.js';
import { mutated, run, StreamSource } from './fake-context.js';
import { encode, type ProtoMessage } from './proto-writer.js';
import { scanSavedModel } from './savedmodel.js';

const PEERS = path.join(sharedRoot, 'vectors', 'scanner-peers', 'modelaudit');

// AttrValue: s = 2, func = 10 (NameAttrList: name = 1).
const funcAttr = (key: string, fn: string): ProtoMessage => [
  [1, key],
  [2, [[10, [[1, fn]]]]],
];
const stringAttr = (key: string, value: string): ProtoMessage => [
  [1, key],
  [2, [[2, value]]],
];
const node = (name: string, op: string, attrs: readonly ProtoMessage[] = []): ProtoMessage => [
  [1, name],
  [2, op],
  [3, 'input:0'],
  ...attrs.map((a) => [5, a] as const),
];
const fn = (name: string, nodes: readonly ProtoMessage[]): ProtoMessage => [
  [1, [[1, name]]],
  ...nodes.map((n) => [3, n] as const),
];
const graphDef = (
  nodes: readonly ProtoMessage[],
  functions: readonly ProtoMessage[] = [],
): ProtoMessage => [
  ...nodes.map((n) => [1, n] as const),
  [2, functions.map((f) => [1, f] as const)],
  [4, [[1, 1808]]],
];
const savedModel = (graph: ProtoMessage, saver?: readonly string[]): Uint8Array =>
  encode([
    [1, 1],
    [
      2,
      [
        [1, [[4, 'serve']]],
        [2, graph],
        ...(saver === undefined ? [] : [[3, saver.map((s, i) => [i + 1, s] as const)] as const]),
      ],
    ],
  ]);

async function findings(bytes: Uint8Array | ByteSource): Promise<string[]> {
  const recorded = await run(scanSavedModel, bytes);
  assert.deepEqual(recorded.problems, []);
  return recorded.findings.map(
    (f) => `${f.rule}:${f.severity ?? ''}:${f.callable ?? ''}:${f.evidence ?? ''}`,
  );
}

describe('scanSavedModel', () => {
  it('flags ops that run Python or touch files, in the graph and in library functions', async () => {
    const graph = graphDef(
      [
        node('x', 'Placeholder'),
        node('py', 'PyFunc'),
        node('call', 'StatefulPartitionedCall', [funcAttr('f', 'serve_fn')]),
      ],
      [
        fn('serve_fn', [
          node('read', 'ReadFile'),
          node('write', 'WriteFile'),
          node('mm', 'MatMul'),
        ]),
      ],
    );
    assert.deepEqual(await findings(savedModel(graph)), [
      'RS306:high:PyFunc:1 node(s): py',
      'RS306:high:ReadFile:1 node(s): serve_fn/read',
      'RS306:high:WriteFile:1 node(s): serve_fn/write',
    ]);
  });

  it('allows the TF1 saver scope named by the SaverDef, not the same ops elsewhere', async () => {
    const saverNodes = [
      node('save/Const', 'Const'),
      node('save/SaveV2', 'SaveV2'),
      node('save/RestoreV2', 'RestoreV2'),
    ];
    const saver = ['save/Const:0', 'save/control_dependency:0', 'save/restore_all'];
    assert.deepEqual(await findings(savedModel(graphDef(saverNodes), saver)), []);
    const extra = [...saverNodes, node('serving/SaveV2', 'SaveV2')];
    assert.deepEqual(await findings(savedModel(graphDef(extra), saver)), [
      'RS306:medium:SaveV2:1 node(s): serving/SaveV2',
    ]);
    assert.equal((await findings(savedModel(graphDef(saverNodes)))).length, 2);
  });

  it('allows the TF2 save and restore functions the SaverDef calls, and what they call', async () => {
    const graph = graphDef(
      [
        node('saver_filename', 'Placeholder'),
        node('StatefulPartitionedCall_1', 'StatefulPartitionedCall', [
          funcAttr('f', '__inference__traced_save_42'),
        ]),
        node('StatefulPartitionedCall_2', 'StatefulPartitionedCall', [
          funcAttr('f', '__inference__traced_restore_43'),
        ]),
        node('serve', 'StatefulPartitionedCall', [funcAttr('f', '__inference_serve_7')]),
      ],
      [
        fn('__inference__traced_save_42', [
          node('MergeV2Checkpoints', 'MergeV2Checkpoints'),
          node('c', 'PartitionedCall', [funcAttr('f', 'shard_save')]),
        ]),
        fn('shard_save', [node('SaveV2', 'SaveV2')]),
        fn('__inference__traced_restore_43', [node('RestoreV2', 'RestoreV2')]),
        fn('__inference_serve_7', [node('MatMul', 'MatMul')]),
      ],
    );
    const saver = ['saver_filename:0', 'StatefulPartitionedCall_1:0', 'StatefulPartitionedCall_2'];
    assert.deepEqual(await findings(savedModel(graph, saver)), []);
  });

  it('flags checkpoint ops in a function only reached from serving', async () => {
    const graph = graphDef(
      [node('serve', 'StatefulPartitionedCall', [funcAttr('f', '__inference__traced_save_1')])],
      [fn('__inference__traced_save_1', [node('SaveV2', 'SaveV2')])],
    );
    assert.deepEqual(await findings(savedModel(graph, ['saver_filename:0'])), [
      'RS306:medium:SaveV2:1 node(s): __inference__traced_save_1/SaveV2',
    ]);
  });

  it('flags PrintV2 only when it prints to a file', async () => {
    const toFile = node('p', 'PrintV2', [stringAttr('output_stream', 'file:///tmp/leak')]);
    const toStderr = node('q', 'PrintV2', [stringAttr('output_stream', 'stderr')]);
    assert.deepEqual(await findings(savedModel(graphDef([toFile, toStderr]))), [
      'RS306:medium:PrintV2:1 node(s): p',
    ]);
  });

  it('rates vocabulary files as low and groups many nodes of one op', async () => {
    const nodes = ['a', 'b', 'c', 'd'].map((n) => node(n, 'InitializeTableFromTextFileV2'));
    assert.deepEqual(await findings(savedModel(graphDef(nodes))), [
      'RS306:low:InitializeTableFromTextFileV2:4 node(s): a, b, c, …',
    ]);
  });

  it('reads frozen GraphDef files and decompressed streams', async () => {
    const frozen = encode(graphDef([node('r', 'ReadFile')]));
    assert.equal((await findings(frozen)).length, 1);
    const stream = new StreamSource(savedModel(graphDef([node('e', 'EagerPyFunc')])), 5);
    assert.equal((await findings(stream)).length, 1);
  });

  it('keeps findings made before a malformed part', async () => {
    const bytes = savedModel(graphDef([node('py', 'PyFunc'), node('c', 'Const')]));
    const { findings: found, problems } = await run(
      scanSavedModel,
      bytes.subarray(0, bytes.length - 8),
    );
    assert.deepEqual(
      found.map((f) => f.callable),
      ['PyFunc'],
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0]?.code ?? '', /^savedmodel-/);
  });

  it('scans the peer files: the PyFunc stub is flagged, the Const stub is clean', async () => {
    for (const [name, expected] of [
      [
        'samples__tensorflow__malicious_pyfunc__saved_model.pb',
        ['RS306:high:PyFunc:1 node(s): bad'],
      ],
      ['samples__tensorflow__safe_savedmodel__saved_model.pb', []],
    ] as const) {
      const source = await FileSource.open(`${PEERS}/${name}`);
      try {
        assert.deepEqual(await findings(source), expected, name);
      } finally {
        await source.close();
      }
    }
  });

  it('never throws on random or mutated bytes', async () => {
    const graph = graphDef(
      [
        node('py', 'PyFunc'),
        node('c', 'StatefulPartitionedCall', [
          funcAttr('f', 'g'),
          stringAttr('output_stream', 'file://x'),
        ]),
      ],
      [fn('g', [node('SaveV2', 'SaveV2')])],
    );
    await fc.assert(
      fc.asyncProperty(
        mutated([savedModel(graph, ['save/Const:0', 'c']), encode(graph)]),
        async (bytes) => {
          await run(scanSavedModel, bytes);
        },
      ),
      { numRuns: 300 },
    );
  });
});
