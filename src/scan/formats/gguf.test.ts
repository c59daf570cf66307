import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mutated, run, StreamSource } from './fake-context.js';
import { looksLikeGguf, scanGguf } from './gguf.js';
import { gguf, type GgufArray, type Kv, type TensorInfo } from './gguf-writer.js';

const BENIGN =
  "{% for message in messages %}<|{{ message['role'] }}|>{{ message['content'] }}{% endfor %}";
const EVIL = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
const TOKENS: Kv = ['tokenizer.ggml.tokens', 9, { type: 8, values: ['<s>', '</s>', 'hello'] }];

// Two F32 tensors of 10 and 8 elements: 40 bytes padded to 64, then 32.
const TENSORS: TensorInfo[] = [
  { name: 'a', dims: [10], type: 0, offset: 0 },
  { name: 'b', dims: [4, 2], type: 0, offset: 64 },
];

async function checks(bytes: Uint8Array | StreamSource): Promise<string[]> {
  const { findings } = await run(scanGguf, bytes);
  return findings.map((f) => `${f.rule}:${f.check ?? f.severity ?? ''}`);
}

describe('scanGguf', () => {
  it('passes a well-formed v3 file with a benign chat template', async () => {
    const kv: Kv[] = [
      ['general.architecture', 8, 'llama'],
      ['general.alignment', 4, 32],
      ['llama.context_length', 4, 4096],
      ['llama.rope.freq_base', 6, 10000],
      ['general.file_type', 10, 7n],
      ['tokenizer.chat_template', 8, BENIGN],
      TOKENS,
      ['tokenizer.ggml.scores', 9, { type: 6, values: [0, -1, -2] }],
    ];
    const bytes = gguf({ kv, tensors: TENSORS, data: 96 });
    assert.deepEqual(await run(scanGguf, bytes), { findings: [], problems: [], nested: [] });
    assert.deepEqual(await checks(new StreamSource(bytes, 5)), []);
  });

  it('flags a chat template that escapes to Python (CVE-2024-34359)', async () => {
    const bytes = gguf({ kv: [TOKENS, ['tokenizer.chat_template', 8, EVIL]] });
    const { findings } = await run(scanGguf, bytes);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.rule, 'RS303');
    assert.equal(findings[0].severity, 'critical');
    assert.match(findings[0].message, /tokenizer\.chat_template/);
  });

  it('checks named templates (tokenizer.chat_template.<name>) too', async () => {
    const bytes = gguf({ kv: [['tokenizer.chat_template.tool_use', 8, EVIL]] });
    assert.deepEqual(await checks(bytes), ['RS303:critical']);
  });

  it('keeps the template finding when the file breaks after it', async () => {
    const bytes = gguf({
      kv: [
        ['tokenizer.chat_template', 8, EVIL],
        ['x', 13, 0],
      ],
    });
    assert.deepEqual(await checks(bytes), ['RS303:critical', 'RS302:gguf.value-type']);
  });

  it('reads versions 1 and 2 and big-endian files', async () => {
    for (const spec of [{ version: 1 }, { version: 2 }, { littleEndian: false }] as const) {
      const bytes = gguf({
        ...spec,
        kv: [TOKENS, ['tokenizer.chat_template', 8, EVIL]],
        tensors: TENSORS,
        data: 96,
      });
      assert.equal(looksLikeGguf(bytes), true);
      assert.deepEqual(await checks(bytes), ['RS303:critical'], JSON.stringify(spec));
    }
  });

  it('reports truncation, unknown value types and impossible lengths', async () => {
    const whole = gguf({ kv: [TOKENS] });
    assert.deepEqual(await checks(whole.subarray(0, 20)), ['RS302:gguf.truncated']);
    assert.deepEqual(await checks(whole.subarray(0, 40)), ['RS302:gguf.length']);
    assert.deepEqual(await checks(gguf({ kv: [['x', 13, 0]] })), ['RS302:gguf.value-type']);
    assert.deepEqual(await checks(gguf({ kv: [['x', 9, { type: 42, values: [] }]] })), [
      'RS302:gguf.value-type',
    ]);
    const huge = gguf({ kv: [['x', 8, 'abc']] });
    new DataView(huge.buffer).setBigUint64(24 + 8 + 1 + 4, 2n ** 60n, true);
    assert.deepEqual(await checks(huge), ['RS302:gguf.length']);
    const counts = gguf({});
    new DataView(counts.buffer).setBigUint64(16, 2n ** 40n, true);
    assert.deepEqual(await checks(counts), ['RS302:gguf.length']);
  });

  it('refuses keys and tensor names over 64 KiB before reading them', async () => {
    assert.deepEqual(await checks(gguf({ kv: [['k'.repeat(70_000), 4, 1]] })), ['RS302:gguf.name']);
  });

  it('reads nested arrays to a depth limit', async () => {
    const nested = {
      type: 9,
      values: [
        { type: 4, values: [1, 2] },
        { type: 4, values: [] },
      ],
    };
    assert.deepEqual(await checks(gguf({ kv: [['x', 9, nested]] })), []);
    let deep: GgufArray = { type: 4, values: [1] };
    for (let i = 0; i < 6; i++) deep = { type: 9, values: [deep] };
    assert.deepEqual(await checks(gguf({ kv: [['x', 9, deep]] })), ['RS302:gguf.array-depth']);
  });

  it('reports duplicate keys and a bad general.alignment', async () => {
    assert.deepEqual(
      await checks(
        gguf({
          kv: [
            ['a', 4, 1],
            ['a', 4, 2],
          ],
        }),
      ),
      ['RS302:gguf.duplicate-key'],
    );
    assert.deepEqual(await checks(gguf({ kv: [['general.alignment', 4, 24]] })), [
      'RS302:gguf.alignment',
    ]);
    assert.deepEqual(await checks(gguf({ kv: [['general.alignment', 10, 32n]] })), [
      'RS302:gguf.alignment',
    ]);
  });

  it('lays tensors out as llama.cpp does, honouring general.alignment', async () => {
    const tensors = [
      { name: 'a', dims: [10], type: 0, offset: 0 },
      { name: 'b', dims: [8], type: 0, offset: 64 },
    ];
    const kv: Kv[] = [['general.alignment', 4, 64]];
    assert.deepEqual(await checks(gguf({ kv, tensors, alignment: 64, data: 96 })), []);
    const quantised = [{ name: 'q', dims: [64, 2], type: 2, offset: 0 }];
    assert.deepEqual(await checks(gguf({ tensors: quantised, data: 72 })), []);
  });

  it('reports misplaced, misshapen, duplicate and out-of-file tensors', async () => {
    const moved = [TENSORS[0]!, { ...TENSORS[1]!, offset: 96 }];
    assert.deepEqual(await checks(gguf({ tensors: moved, data: 128 })), [
      'RS302:gguf.tensor-offset',
    ]);
    const misaligned = [TENSORS[0]!, { ...TENSORS[1]!, offset: 40 }];
    assert.deepEqual(await checks(gguf({ tensors: misaligned, data: 96 })), [
      'RS302:gguf.tensor-alignment',
    ]);
    assert.deepEqual(await checks(gguf({ tensors: TENSORS, data: 80 })), [
      'RS302:gguf.tensor-bounds',
    ]);
    const twice = [TENSORS[0]!, { ...TENSORS[1]!, name: 'a' }];
    assert.deepEqual(await checks(gguf({ tensors: twice, data: 96 })), [
      'RS302:gguf.tensor-duplicate',
    ]);
    const rows = [{ name: 'q', dims: [33], type: 2, offset: 0 }];
    assert.deepEqual(await checks(gguf({ tensors: rows, data: 64 })), ['RS302:gguf.tensor-shape']);
    const dims = [{ name: 'd', dims: [1, 1, 1, 1, 1], type: 0, offset: 0 }];
    assert.deepEqual(await checks(gguf({ tensors: dims, data: 32 })), ['RS302:gguf.tensor-dims']);
  });

  it('reports an unknown ggml type as a problem, not a finding', async () => {
    const tensors = [{ name: 'x', dims: [4], type: 200, offset: 0 }];
    const { findings, problems } = await run(scanGguf, gguf({ tensors, data: 32 }));
    assert.deepEqual(findings, []);
    assert.deepEqual(
      problems.map((p) => p.code),
      ['gguf-unknown-tensor-type'],
    );
  });

  it('stops at the header size limit with a problem', async () => {
    const bytes = gguf({ kv: [['tokenizer.chat_template', 8, 'x'.repeat(5000)]] });
    const { findings, problems } = await run(scanGguf, bytes, { maxHeaderBytes: 1024 });
    assert.deepEqual(findings, []);
    assert.deepEqual(
      problems.map((p) => p.code),
      ['gguf-header-too-large'],
    );
  });

  it('never throws on random or mutated bytes', async () => {
    const seeds = [
      gguf({ kv: [TOKENS, ['tokenizer.chat_template', 8, EVIL]], tensors: TENSORS, data: 96 }),
      gguf({
        version: 1,
        kv: [['general.alignment', 4, 64]],
        tensors: TENSORS,
        alignment: 64,
        data: 96,
      }),
    ];
    await fc.assert(
      fc.asyncProperty(mutated(seeds), async (bytes) => {
        looksLikeGguf(bytes);
        await run(scanGguf, bytes);
      }),
      { numRuns: 300 },
    );
  });
});

describe('looksLikeGguf', () => {
  it('needs the magic and a known version', () => {
    assert.equal(looksLikeGguf(gguf({})), true);
    assert.equal(looksLikeGguf(new TextEncoder().encode('GGUF is a file format')), false);
    assert.equal(looksLikeGguf(new TextEncoder().encode('GGML')), false);
  });
});
