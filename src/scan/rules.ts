/**
 * The rule catalogue: every finding names one of these stable ids. Ids are never reused; SARIF
 * output lists the rules a run used with their help text. Severities here are defaults.
 * RS1xx pickle, RS2xx archives and containers, RS3xx other model formats.
 */
import type { Severity } from './types.js';

export interface RuleSpec {
  /** kebab-case name (SARIF `rule.name`). */
  readonly name: string;
  readonly severity: Severity;
  /** One line: what the rule detects. */
  readonly summary: string;
  /** What to do about it. */
  readonly help: string;
  /** CVEs, advisories and write-ups that motivated the rule. */
  readonly references?: readonly string[];
}

export const RULES = {
  RS101: {
    name: 'pickle-denied-callable',
    severity: 'critical',
    summary: 'The pickle calls a global on the denylist (code execution, files, network, import).',
    help: 'Do not load this file. Re-export the model as safetensors or ONNX from a trusted environment.',
    references: ['https://docs.python.org/3/library/pickle.html#restricting-globals'],
  },
  RS102: {
    name: 'pickle-denied-import',
    severity: 'high',
    summary: 'The pickle imports a denylisted global without calling it (it may be called later).',
    help: 'A model file has no reason to reference this object; treat the file as hostile.',
  },
  RS103: {
    name: 'pickle-unknown-callable',
    severity: 'high',
    summary: 'The pickle calls a global that is not on the allowlist.',
    help: 'If the callable is your own trusted code, trust it with `rampart scan --allow module.name`; otherwise do not load the file.',
  },
  RS104: {
    name: 'pickle-unknown-global',
    severity: 'low',
    summary:
      'The pickle references a global that is not on the allowlist but does not call it (or only creates an instance without running its constructor).',
    help: 'Loading needs this class importable; check it is your own code.',
  },
  RS105: {
    name: 'pickle-nested-loader',
    severity: 'critical',
    summary: 'The pickle hands bytes to another deserialiser (pickle.loads, torch.load, ...).',
    help: 'The nested payload is scanned too; the nesting itself is an evasion technique.',
  },
  RS106: {
    name: 'pickle-extension-registry',
    severity: 'high',
    summary: 'The pickle resolves a callable through the copyreg extension registry (EXT1/2/4).',
    help: 'Extension codes hide the name of the callable; no model needs them.',
  },
  RS107: {
    name: 'pickle-unused-result',
    severity: 'low',
    summary: 'A call result is discarded (the signature of injected code).',
    help: 'Legitimate pickles use every object they build.',
  },
  RS108: {
    name: 'pickle-resource-exhaustion',
    severity: 'medium',
    summary: 'The pickle exceeds a memo, stack or expansion limit (a denial-of-service construct).',
    help: 'Loading it may exhaust memory; raise the limit only for a file you trust.',
  },
  RS201: {
    name: 'archive-path-traversal',
    severity: 'high',
    summary: 'An archive member name is absolute or climbs out of the extraction folder.',
    help: 'Never extract this archive with a tool that honours member paths.',
    references: ['https://security.snyk.io/research/zip-slip-vulnerability'],
  },
  RS202: {
    name: 'zip-header-mismatch',
    severity: 'medium',
    summary:
      'A zip member’s local header disagrees with the central directory (name, size or offset).',
    help: 'Different readers will see different files; rebuild the archive with a standard tool.',
    references: ['CVE-2025-1944'],
  },
  RS203: {
    name: 'zip-duplicate-name',
    severity: 'medium',
    summary: 'Two zip members have the same name.',
    help: 'Readers disagree on which one wins; rebuild the archive.',
  },
  RS204: {
    name: 'archive-bomb',
    severity: 'high',
    summary: 'Decompressed size or compression ratio is over the limit (a decompression bomb).',
    help: 'Raise scan limits only for an archive you trust.',
  },
  RS205: {
    name: 'archive-unscannable',
    severity: 'high',
    summary: 'An archive or member cannot be inspected (unsupported archive type, encryption).',
    help: 'Unpack it yourself in a sandbox and scan the contents; an unscanned artefact is not safe.',
  },
  RS206: {
    name: 'polyglot',
    severity: 'medium',
    summary:
      'The bytes are valid as two formats at once; different loaders will see different content.',
    help: 'Both readings are scanned; a normal model file is only one format.',
  },
  RS207: {
    name: 'archive-too-deep',
    severity: 'medium',
    summary: 'Archives or nested payloads are nested deeper than the limit.',
    help: 'Raise --max-depth only for an artefact you trust.',
  },
  RS301: {
    name: 'safetensors-invalid',
    severity: 'high',
    summary: 'The safetensors header is malformed or its offsets do not describe the data.',
    help: 'Re-export the tensors with the safetensors library.',
  },
  RS302: {
    name: 'gguf-invalid',
    severity: 'high',
    summary: 'GGUF metadata is malformed (bad type, length or count).',
    help: 'Re-convert the model with llama.cpp’s conversion scripts.',
  },
  RS303: {
    name: 'template-injection',
    severity: 'critical',
    summary: 'A Jinja chat template reaches Python internals (server-side template injection).',
    help: 'Replace the chat template with a plain one; never render it outside a sandbox.',
    references: ['CVE-2024-34359'],
  },
  RS304: {
    name: 'keras-lambda',
    severity: 'high',
    summary: 'A Keras model contains a Lambda layer (serialised Python code).',
    help: 'Rebuild the layer as a registered custom layer in trusted code.',
    references: ['CVE-2024-3660'],
  },
  RS305: {
    name: 'keras-module-not-allowed',
    severity: 'high',
    summary: 'A Keras config names a module or class outside the allowlist.',
    help: 'Keras imports the named module when it loads the model.',
    references: ['CVE-2025-1550', 'CVE-2025-49655'],
  },
  RS306: {
    name: 'savedmodel-dangerous-op',
    severity: 'high',
    summary: 'A TensorFlow graph uses an op that reads or writes files or runs Python.',
    help: 'Remove the op, or run the model only in a sandbox without file access.',
  },
  RS307: {
    name: 'onnx-external-data-path',
    severity: 'high',
    summary: 'An ONNX tensor’s external data path is absolute or climbs out of the model folder.',
    help: 'External data must be a relative path inside the model folder.',
    references: ['CVE-2022-25882', 'CVE-2024-27318'],
  },
  RS308: {
    name: 'onnx-custom-domain',
    severity: 'medium',
    summary: 'An ONNX graph uses an operator from a custom domain (needs native code to run).',
    help: 'Check that the custom-op library is trusted.',
  },
  RS309: {
    name: 'model-structure-invalid',
    severity: 'medium',
    summary: 'A model file’s structure is inconsistent in a way loaders may read differently.',
    help: 'Re-export the model with its framework’s own tools.',
  },
  RS310: {
    name: 'yaml-python-tag',
    severity: 'high',
    summary:
      'A YAML file uses a PyYAML python/object, python/name or python/module tag (runs code under yaml.unsafe_load).',
    help: 'Load YAML with yaml.safe_load; a config file never needs tags that import Python objects.',
    references: ['CVE-2020-1747', 'CVE-2020-14343', 'CVE-2021-4118'],
  },
} as const satisfies Record<string, RuleSpec>;

export type RuleId = keyof typeof RULES;
