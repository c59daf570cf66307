import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mutated, run, StreamSource } from './fake-context.js';
import { scanJson, scanTemplate, scanYaml, sniffText } from './text-formats.js';

const EVIL = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
const BENIGN = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}{% endfor %}";
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const json = (value: unknown): Uint8Array => bytes(JSON.stringify(value, null, 2));

async function rules(scanner: Parameters<typeof run>[0], input: Uint8Array): Promise<string[]> {
  const { findings, problems } = await run(scanner, input);
  return [...findings.map((f) => `${f.rule}:${f.severity ?? ''}`), ...problems.map((p) => p.code)];
}

describe('sniffText', () => {
  it('tells JSON, YAML, templates and plain text apart', () => {
    assert.equal(sniffText(bytes(' {"a": 1}'), 'x.bin'), 'json');
    assert.equal(sniffText(bytes('[1, 2]'), 'data'), 'json');
    assert.equal(sniffText(bytes('\ufeff{"a": 1}'), 'x'), 'json');
    assert.equal(sniffText(bytes('{% for m in messages %}'), 'chat.json'), 'template');
    assert.equal(sniffText(bytes('{{ bos_token }}'), 'x'), 'template');
    assert.equal(sniffText(bytes('a: 1\n'), 'config.yaml'), 'yaml');
    assert.equal(sniffText(bytes('a: 1\n'), 'dir/config.YML'), 'yaml');
    assert.equal(sniffText(bytes('---\nflavors: {}\n'), 'MLmodel'), 'yaml');
    assert.equal(sniffText(bytes('Hello {{ name }}'), 'README'), 'template');
    assert.equal(sniffText(bytes('s = f"{{{self.__class__}}}"'), 'modeling.py'), 'text');
    assert.equal(sniffText(bytes('Use {{ name }}'), 'README.md'), 'text');
    assert.equal(sniffText(bytes('anything'), 'chat.j2'), 'template');
    assert.equal(sniffText(bytes('MIT License\n\nCopyright'), 'LICENSE'), 'text');
    assert.equal(sniffText(bytes('a,b\n1,2\n'), 'features.csv'), 'text');
    assert.equal(sniffText(new Uint8Array(0), 'empty'), 'text');
  });

  it('rejects binary data but tolerates a character cut at the end of the head', () => {
    assert.equal(sniffText(Uint8Array.from([0x80, 0x04, 0x95]), 'x.pkl'), undefined);
    assert.equal(sniffText(Uint8Array.from([0x7b, 0x00, 0x7d]), 'x'), undefined);
    assert.equal(sniffText(bytes('{"a": "é"}').subarray(0, 8), 'x'), 'json');
    assert.equal(sniffText(Uint8Array.from([0x61, 0xff, 0x62]), 'x'), undefined);
  });
});

describe('scanJson', () => {
  it('checks chat templates, named template lists and Jinja strings under any key', async () => {
    assert.deepEqual(await rules(scanJson, json({ chat_template: BENIGN, bos_token: '<s>' })), []);
    assert.deepEqual(await rules(scanJson, json({ chat_template: EVIL })), ['RS303:critical']);
    const named = {
      chat_template: [
        { name: 'default', template: BENIGN },
        { name: 'rag', template: EVIL },
      ],
    };
    assert.deepEqual(await rules(scanJson, json(named)), ['RS303:critical']);
    assert.deepEqual(await rules(scanJson, json({ a: [{ b: { prompt: EVIL } }] })), [
      'RS303:critical',
    ]);
    const { findings } = await run(scanJson, json({ a: [{ b: { prompt: EVIL } }] }));
    assert.match(findings[0]?.message ?? '', /at a\.0\.b\.prompt/);
  });

  it('reads a decompressed stream the same way', async () => {
    const { findings } = await run(scanJson, new StreamSource(json({ chat_template: EVIL }), 3));
    assert.equal(findings.length, 1);
  });

  it('treats text that is not JSON as text: no problem, but Jinja in its strings is checked', async () => {
    assert.deepEqual(await rules(scanJson, bytes('[section]\nkey = value\n')), []);
    assert.deepEqual(await rules(scanJson, bytes(`{"chat_template": ${JSON.stringify(EVIL)},,}`)), [
      'RS303:critical',
    ]);
    assert.deepEqual(
      await rules(scanJson, bytes(`{"chat_template": ${JSON.stringify(BENIGN)}`)),
      [],
    );
  });

  it('walks Keras configs found in JSON', async () => {
    const keras = {
      module: 'keras',
      class_name: 'Functional',
      config: { layers: [{ class_name: 'Lambda', config: { function: 'lambda x: x' } }] },
    };
    assert.deepEqual(await rules(scanJson, json(keras)), ['RS304:']);
    assert.deepEqual(await rules(scanJson, json({ model_config: keras })), ['RS304:']);
  });

  it('reads notebook cells as Python, not as templates', async () => {
    const notebook = {
      nbformat: 4,
      cells: [{ cell_type: 'code', source: ['f"{{x.__class__}}"'] }],
    };
    assert.deepEqual(await rules(scanJson, json(notebook)), []);
    assert.deepEqual(await rules(scanJson, json({ ...notebook, chat_template: EVIL })), [
      'RS303:critical',
    ]);
  });

  it('does not treat non-Keras "module" keys as Keras', async () => {
    assert.deepEqual(await rules(scanJson, json({ module: 'os', name: 'x' })), []);
  });

  it('reports a file over the size limit as a problem', async () => {
    const { problems } = await run(scanJson, json({ a: 'x'.repeat(100) }), { maxHeaderBytes: 10 });
    assert.deepEqual(
      problems.map((p) => p.code),
      ['json-too-large'],
    );
  });
});

describe('scanYaml', () => {
  it('walks YAML like JSON', async () => {
    assert.deepEqual(
      await rules(scanYaml, bytes(`chat_template: "${BENIGN}"\nmax_length: 1024\n`)),
      [],
    );
    assert.deepEqual(await rules(scanYaml, bytes(`a:\n  - prompt: "${EVIL}"\n`)), [
      'RS303:critical',
    ]);
    assert.deepEqual(await rules(scanYaml, bytes(`a: 1\n---\nb: "${EVIL}"\n`)), ['RS303:critical']);
  });

  it('flags PyYAML tags that build Python objects, not harmless python tags', async () => {
    const evil = 'a: !!python/object/apply:os.system ["id"]\nb: !!python/name:os.system\n';
    assert.deepEqual(await rules(scanYaml, bytes(evil)), ['RS310:', 'RS310:']);
    const { findings } = await run(
      scanYaml,
      bytes('é: 1\nb: !!python/object/apply:os.system [id]\n'),
    );
    assert.equal(findings[0]?.offset, 41);
    assert.equal(findings[0].evidence, '!!python/object/apply:os.system');
    assert.deepEqual(await rules(scanYaml, bytes('b: !!python/module:os\n')), ['RS310:']);
    assert.deepEqual(await rules(scanYaml, bytes('shape: !!python/tuple [1, 2]\n')), []);
    const handle =
      '%TAG !p! tag:yaml.org,2002:python/\n---\na: !p!object/new:subprocess.Popen [id]\n';
    assert.deepEqual(await rules(scanYaml, bytes(handle)), ['RS310:']);
  });

  it('reports a YAML bomb as a problem', async () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 9; i++)
      text += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    assert.deepEqual(await rules(scanYaml, bytes(text)), ['yaml-alias-limit']);
  });

  it('reads YAML that does not parse as a template', async () => {
    assert.deepEqual(await rules(scanYaml, bytes(`a: [\nb: "${EVIL}"\n`)), ['RS303:critical']);
    assert.deepEqual(await rules(scanYaml, bytes('a: [\nb: 1\n')), []);
  });
});

describe('scanTemplate', () => {
  it('checks standalone templates', async () => {
    assert.deepEqual(await rules(scanTemplate, bytes(BENIGN)), []);
    assert.deepEqual(await rules(scanTemplate, bytes(`${BENIGN}\n${EVIL}\n`)), ['RS303:critical']);
  });

  it('never throws on random or mutated text', async () => {
    const seeds = [
      json({ chat_template: EVIL, model: { class_name: 'Lambda', config: {} } }),
      bytes(`a: &x [1, "${EVIL}"]\nb: *x\nc: !!python/tuple [1]\n`),
      bytes(`${BENIGN}{% raw %}x{% endraw %}{# c #}`),
    ];
    await fc.assert(
      fc.asyncProperty(
        mutated(seeds),
        fc.constantFrom('x.json', 'x.yaml', 'x.j2'),
        async (input, name) => {
          sniffText(input, name);
          await run(scanJson, input);
          await run(scanYaml, input);
          await run(scanTemplate, input);
        },
      ),
      { numRuns: 300 },
    );
  });
});
