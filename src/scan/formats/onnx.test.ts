import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferSource, type ByteSource } from '../source.js';
import fc from 'fast-check';
import { mutated, run, StreamSource } from './fake-context.js';
import { scanOnnx, unsafeLocation } from './onnx.js';
import { sniffProtobuf } from './protobuf-sniff.js';
import { encode, type ProtoMessage } from './proto-writer.js';

interface NodeSpec {
  readonly domain?: string;
  readonly name?: string;
  readonly attributes?: readonly ProtoMessage[];
}

const node = (op: string, spec: NodeSpec = {}): ProtoMessage => [
  [1, 'x'],
  [2, 'y'],
  [3, spec.name ?? op.toLowerCase()],
  [4, op],
  ...(spec.attributes ?? []).map((a) => [5, a] as const),
  ...(spec.domain === undefined ? [] : [[7, spec.domain] as const]),
];
const tensor = (name: string, extra: ProtoMessage = []): ProtoMessage => [
  [1, 4],
  [2, 1],
  [8, name],
  ...extra,
];
const external = (location: string): ProtoMessage => [
  [
    13,
    [
      [1, 'location'],
      [2, location],
    ],
  ],
  [
    13,
    [
      [1, 'offset'],
      [2, '0'],
    ],
  ],
  [
    13,
    [
      [1, 'length'],
      [2, '16'],
    ],
  ],
  [14, 1],
];
const graph = (
  nodes: readonly ProtoMessage[],
  initializers: readonly ProtoMessage[] = [],
): ProtoMessage => [
  ...nodes.map((n) => [1, n] as const),
  [2, 'main'],
  ...initializers.map((t) => [5, t] as const),
  [11, [[1, 'x']]],
  [12, [[1, 'y']]],
];
const model = (
  body: ProtoMessage,
  opsets: readonly [string, number][] = [['', 17]],
  functions: readonly ProtoMessage[] = [],
): Uint8Array =>
  encode([
    [1, 9],
    [2, 'pytorch'],
    [3, '2.4'],
    [7, body],
    ...opsets.map(
      ([domain, version]) =>
        [
          8,
          [
            [1, domain],
            [2, version],
          ],
        ] as const,
    ),
    ...functions.map((f) => [25, f] as const),
  ]);

async function findings(bytes: Uint8Array | ByteSource): Promise<string[]> {
  const recorded = await run(scanOnnx, bytes);
  assert.deepEqual(recorded.problems, []);
  return recorded.findings.map((f) => `${f.rule}:${f.severity ?? ''}:${f.evidence ?? f.message}`);
}

const RAW = new Uint8Array(1 << 20);

describe('scanOnnx', () => {
  it('passes a standard model with inline and relative external data', async () => {
    const bytes = model(
      graph(
        [node('Conv'), node('Relu'), node('FusedMatMul', { domain: 'com.microsoft' })],
        [tensor('w', [[9, RAW]]), tensor('b', external('weights/b.bin'))],
      ),
      [
        ['', 17],
        ['com.microsoft', 1],
        ['ai.onnx.ml', 3],
      ],
    );
    assert.deepEqual(await findings(bytes), []);
  });

  it('skips tensor payloads without reading them', async () => {
    const bytes = model(graph([node('Relu')], [tensor('w', [[9, RAW]])]));
    let read = 0;
    const inner = new BufferSource(bytes);
    const counting: ByteSource = {
      size: inner.size,
      seekable: true,
      read: async (offset, length) => {
        const chunk = await inner.read(offset, length);
        read += chunk.length;
        return chunk;
      },
      stream: (offset) => inner.stream(offset),
    };
    assert.deepEqual(await findings(counting), []);
    assert.ok(read < 256 * 1024, `read ${read} of ${bytes.length} bytes`);
  });

  it('flags external data outside the model folder (CVE-2022-25882, CVE-2024-27318)', async () => {
    for (const location of [
      '../../etc/passwd',
      '/etc/passwd',
      'C:\\Windows\\win.ini',
      'data\\..\\..\\x',
      '\\\\host\\share\\x',
    ]) {
      const bytes = model(graph([node('Relu')], [tensor('w', external(location))]));
      assert.deepEqual(await findings(bytes), [`RS307::location: ${location}`], location);
    }
  });

  it('flags a location too long to check, whatever it hides after the cut', async () => {
    const location = `${'a/'.repeat(40_000)}../../etc/passwd`;
    const bytes = model(graph([node('Relu')], [tensor('w', external(location))]));
    const [finding] = await findings(bytes);
    assert.match(finding ?? '', /^RS307::location: a\/a\//);
  });

  it('finds external data in nested subgraphs, attribute tensors and sparse initializers', async () => {
    const evil = tensor('t', external('../secret'));
    const thenBranch: ProtoMessage = [
      [1, 'then_branch'],
      [6, graph([node('Relu')], [evil])],
      [20, 5],
    ];
    const loop = node('Loop', {
      attributes: [
        [
          [1, 'body'],
          [6, graph([node('If', { attributes: [thenBranch] })])],
          [20, 5],
        ],
      ],
    });
    assert.equal((await findings(model(graph([loop])))).length, 1);
    const constant = node('Constant', {
      attributes: [
        [
          [1, 'value'],
          [5, evil],
          [20, 4],
        ],
      ],
    });
    assert.equal((await findings(model(graph([constant])))).length, 1);
    const sparse: ProtoMessage = [
      [1, node('Relu')],
      [
        15,
        [
          [1, evil],
          [2, tensor('i')],
        ],
      ],
    ];
    assert.equal((await findings(model(sparse))).length, 1);
  });

  it('flags operators from custom domains once per domain (RS308)', async () => {
    const bytes = model(
      graph([
        node('Evil', { domain: 'com.attacker', name: 'n1' }),
        node('Evil2', { domain: 'com.attacker', name: 'n2' }),
      ]),
      [
        ['', 17],
        ['com.attacker', 1],
      ],
    );
    assert.deepEqual(await findings(bytes), ['RS308::ops: Evil, Evil2; nodes: n1, n2']);
  });

  it('does not flag calls to functions defined in the model, but checks their bodies', async () => {
    const fn: ProtoMessage = [
      [1, 'Gelu'],
      [4, 'x'],
      [5, 'y'],
      [7, node('Tanh')],
      [
        9,
        [
          [1, ''],
          [2, 17],
        ],
      ],
      [10, 'pkg.local'],
    ];
    const ok = model(
      graph([node('Gelu', { domain: 'pkg.local' })]),
      [
        ['', 17],
        ['pkg.local', 1],
      ],
      [fn],
    );
    assert.deepEqual(await findings(ok), []);
    const bad: ProtoMessage = [...fn, [7, node('Exec', { domain: 'ai.custom' })]];
    const flagged = model(
      graph([node('Gelu', { domain: 'pkg.local' })]),
      [
        ['', 17],
        ['pkg.local', 1],
      ],
      [bad],
    );
    assert.deepEqual(await findings(flagged), ['RS308::ops: Exec; nodes: exec']);
  });

  it('rates a custom opset that no node uses as low', async () => {
    const bytes = model(graph([node('Relu')]), [
      ['', 17],
      ['org.unused', 1],
    ]);
    assert.deepEqual(await findings(bytes), [
      'RS308:low:the model imports the custom operator set "org.unused", though no node uses it',
    ]);
  });

  it('walks training graphs and reads decompressed streams', async () => {
    const training = encode([
      [1, 9],
      [20, [[2, graph([node('Evil', { domain: 'x.y' })])]]],
    ]);
    assert.equal((await findings(training)).length, 1);
    const stream = new StreamSource(
      model(graph([node('Relu')], [tensor('w', external('/abs'))])),
      13,
    );
    assert.equal((await findings(stream)).length, 1);
  });

  it('reports malformed bytes as a problem and keeps earlier findings', async () => {
    const bytes = model(graph([node('Evil', { domain: 'x.y' })]));
    const cut = await run(scanOnnx, bytes.subarray(0, bytes.length - 3));
    assert.equal(cut.problems.length, 1);
    assert.match(cut.problems[0]?.code ?? '', /^onnx-/);
    const garbage = await run(scanOnnx, Uint8Array.from([0x0f, 0xff, 0xff]));
    assert.deepEqual(
      garbage.problems.map((p) => p.code),
      ['onnx-malformed'],
    );
    const valid = encode([[7, graph([node('Evil', { domain: 'x.y' })])]]);
    const broken = await run(scanOnnx, Uint8Array.from([...valid, 0x0b]));
    assert.deepEqual(
      broken.findings.map((f) => f.rule),
      ['RS308'],
    );
    assert.equal(broken.problems.length, 1);
  });

  it('never throws on random or mutated bytes', async () => {
    const fn: ProtoMessage = [
      [1, 'F'],
      [7, node('Tanh')],
      [10, 'pkg'],
    ];
    const seeds = [
      model(
        graph(
          [
            node('If', {
              attributes: [
                [
                  [1, 'g'],
                  [6, graph([node('X', { domain: 'a.b' })])],
                ],
              ],
            }),
          ],
          [tensor('w', external('../x'))],
        ),
        [
          ['', 17],
          ['pkg', 1],
        ],
        [fn],
      ),
    ];
    await fc.assert(
      fc.asyncProperty(mutated(seeds), async (bytes) => {
        await run(scanOnnx, bytes);
        await sniffProtobuf(new BufferSource(bytes), 'model.onnx');
      }),
      { numRuns: 300 },
    );
  });
});

describe('unsafeLocation', () => {
  it('accepts relative paths inside the folder', () => {
    for (const ok of ['weights.bin', 'data/weights.bin', './w.bin', 'a..b/c', 'file:x'])
      assert.equal(unsafeLocation(ok), undefined, ok);
    assert.equal(unsafeLocation('w\u0000.bin'), 'contains a NUL byte');
  });
});
