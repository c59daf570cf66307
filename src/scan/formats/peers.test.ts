import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sharedRoot } from '../../../testkit/paths.js';
import type { FormatScanner } from '../context.js';
import { RULES } from '../rules.js';
import { FileSource } from '../source.js';
import { atLeast } from '../types.js';
import { FakeContext } from './fake-context.js';
import {
  looksLikeGguf,
  looksLikeHdf5,
  looksLikeSafetensors,
  scanGguf,
  scanHdf5,
  scanJson,
  scanOnnx,
  scanSafetensors,
  scanSavedModel,
  scanTemplate,
  scanYaml,
  sniffProtobuf,
  sniffText,
} from './index.js';

const PEERS = path.join(sharedRoot, 'vectors', 'scanner-peers');
const LABELS = JSON.parse(readFileSync(path.join(PEERS, 'labels.json'), 'utf8')) as Record<
  string,
  { malicious: boolean | null }
>;
// Formats the pickle and container scanners own.
const ELSEWHERE = /\.(pkl|pickle|zip|pt|npy|skops)$/;

const SCANNERS: Readonly<Record<string, FormatScanner>> = {
  hdf5: scanHdf5,
  gguf: scanGguf,
  safetensors: scanSafetensors,
  onnx: scanOnnx,
  savedmodel: scanSavedModel,
  json: scanJson,
  yaml: scanYaml,
  template: scanTemplate,
};

async function formatOf(source: FileSource, name: string): Promise<string | undefined> {
  const head = await source.read(0, 64 * 1024);
  if (looksLikeHdf5(head)) return 'hdf5';
  if (looksLikeGguf(head)) return 'gguf';
  if (looksLikeSafetensors(head, source.size)) return 'safetensors';
  return (await sniffProtobuf(source, name)) ?? sniffText(head, name);
}

describe('ModelAudit peer files (templates, Keras, safetensors, TensorFlow, configs)', () => {
  const entries = Object.entries(LABELS).filter(
    ([key]) => key.startsWith('modelaudit/') && !ELSEWHERE.test(key),
  );

  it('covers the 62 files of these formats', () => {
    assert.equal(entries.length, 62);
  });

  it('flags every malicious file, passes every benign one and survives the rest', async () => {
    for (const [key, { malicious }] of entries) {
      const name = key.slice('modelaudit/'.length);
      const source = await FileSource.open(path.join(PEERS, key));
      const context = new FakeContext();
      try {
        const format = await formatOf(source, name);
        const scanner = format === undefined ? undefined : SCANNERS[format];
        if (scanner !== undefined) await scanner(source, context);
      } finally {
        await source.close();
      }
      const { findings, problems } = context.recorded;
      const flagged = findings.some((f) => atLeast(f.severity ?? RULES[f.rule].severity, 'medium'));
      if (malicious === true) assert.ok(flagged, `${name} should be flagged`);
      if (malicious === false) {
        assert.ok(!flagged, `${name} should be clean: ${JSON.stringify(findings)}`);
        assert.deepEqual(problems, [], name);
      }
    }
  });
});
