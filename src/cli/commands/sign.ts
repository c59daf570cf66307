import path from 'node:path';
import { loadPrivateKey, RampartError } from '../../core/index.js';
import { loadCertificates, recordModelEvent, signModel } from '../../registry/index.js';
import type { SignMethod } from '../../registry/index.js';
import type { Command, CommandContext, CommandInput } from '../command.js';
import { listOption, shardSizeOption, stringOption } from '../options.js';

/** `rampart sign <model-path> --key <private.pem>`: write an OpenSSF model signature. */
export const signCommand: Command = {
  name: 'sign',
  summary: 'Sign a model folder or file (OpenSSF model signing v1.0, model.sig)',
  usage:
    'sign <model-path> --key <private.pem> [--signature <file>] [--method files|shards] [--ignore-paths <path>]...',
  description: [
    'Hashes every file of the model and writes a Sigstore bundle v0.3 (DSSE, in-toto statement,',
    'predicate https://model_signing/signature/v1.0) that model_signing verifies. The signature',
    'goes to model.sig inside a folder, or <file>.sig beside a single file. .git, .github,',
    '.gitattributes, .gitignore and the signature file are ignored. File sizes, empty files and',
    'the files present under ignored paths are recorded in an extra predicate field. With a state',
    'folder (--home, RAMPART_HOME or ./.rampart) the signing is appended to the audit log.',
    'Keys: ECDSA P-256 (SHA-256) or P-384 (SHA-384). See docs/cli/sign.md.',
  ].join('\n'),
  options: {
    key: { type: 'string', value: '<private.pem>', description: 'ECDSA private key (PEM)' },
    signature: { type: 'string', value: '<file>', description: 'where to write the signature' },
    method: {
      type: 'string',
      value: '<files|shards>',
      description: 'one digest per file (default) or per shard',
    },
    'shard-size': {
      type: 'string',
      value: '<bytes>',
      description: 'shard length (default 1000000000)',
    },
    'ignore-paths': {
      type: 'string',
      multiple: true,
      value: '<path>',
      description: 'model-relative path to leave unsigned (repeatable)',
    },
    'allow-symlinks': {
      type: 'boolean',
      description: 'sign links to files as their target content',
    },
    'signing-certificate': {
      type: 'string',
      value: '<cert.pem>',
      description: 'certificate method: the certificate of --key',
    },
    'certificate-chain': {
      type: 'string',
      value: '<chain.pem>',
      description: 'certificate method: intermediate certificates to include',
    },
  },
  positionals: { min: 1, max: 1 },
  examples: [
    'rampart sign ./my-model --key signing.key',
    'rampart sign model.safetensors --key signing.key --signature model.safetensors.sig',
    'rampart sign ./my-model --key leaf.key --signing-certificate leaf.pem --certificate-chain int.pem',
  ],
  async run(context, input) {
    const model = path.resolve(context.cwd, input.positionals[0] ?? '');
    const keyFile = stringOption(input, 'key');
    if (keyFile === undefined) {
      throw new RampartError('RAMPART_USAGE', 'sign: --key <private.pem> is required', {
        hint: 'Usage: rampart sign <model-path> --key <private.pem>',
      });
    }
    const privateKey = await loadPrivateKey(path.resolve(context.cwd, keyFile));
    const shardSize = shardSizeOption(input);
    const chain = await certificateChain(context, input);
    const signature = stringOption(input, 'signature');
    const result = await signModel(model, {
      privateKey,
      ...(chain === undefined ? {} : { certificateChain: chain }),
      ...(signature === undefined ? {} : { signaturePath: path.resolve(context.cwd, signature) }),
      method: method(input),
      ...(shardSize === undefined ? {} : { shardSize }),
      ignorePaths: listOption(input, 'ignore-paths'),
      allowSymlinks: input.options['allow-symlinks'] === true,
    });
    const auditIndex = await recordModelEvent({
      home: context.location.home,
      configFile: context.location.configFile,
      env: context.env,
      actor: context.env.USER ?? 'local',
      action: 'model.sign',
      model,
      digest: result.digest,
      allowed: true,
    });
    const audit =
      auditIndex === null
        ? `audit entry skipped: no state folder at ${context.location.home}`
        : `audit entry ${auditIndex}`;
    return {
      exitCode: 0,
      json: { ...result, auditIndex },
      text: [
        `Signed ${model} (${result.fileCount} files, ${result.totalSize} bytes, ${result.method})`,
        `digest    ${result.digest}`,
        `key       ${result.keyId}`,
        `signature ${result.signaturePath}`,
        audit,
      ].join('\n'),
    };
  },
};

async function certificateChain(context: CommandContext, input: CommandInput) {
  const leaf = stringOption(input, 'signing-certificate');
  const intermediates = stringOption(input, 'certificate-chain');
  if (leaf === undefined) {
    if (intermediates === undefined) return undefined;
    throw new RampartError(
      'RAMPART_USAGE',
      'sign: --certificate-chain needs --signing-certificate',
    );
  }
  const certs = await loadCertificates(path.resolve(context.cwd, leaf));
  const rest =
    intermediates === undefined
      ? []
      : await loadCertificates(path.resolve(context.cwd, intermediates));
  return [...certs, ...rest];
}

function method(input: CommandInput): SignMethod {
  const value = stringOption(input, 'method') ?? 'files';
  if (value !== 'files' && value !== 'shards') {
    throw new RampartError('RAMPART_USAGE', `sign: --method must be files or shards, got ${value}`);
  }
  return value;
}
