import path from 'node:path';
import { isRampartError, loadPublicKey, pathExists, RampartError } from '../../core/index.js';
import { loadCertificates, recordModelEvent, verifyModel } from '../../registry/index.js';
import type { VerifyResult } from '../../registry/index.js';
import type { Command, CommandResult } from '../command.js';
import { listOption, stringOption } from '../options.js';

/** `rampart verify <model-path>`: check a model against its OpenSSF model signature. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Verify a model folder or file against its OpenSSF model signature',
  usage:
    'verify <model-path> (--key <public.pem> | --certificate-chain <ca.pem>) [--signature <file>] [--ignore-paths <path>]...',
  description: [
    'Checks the signature (key method: --key; certificate method: the chain in the bundle up to',
    "the root in --certificate-chain, checked at the signing certificate's notBefore) and that",
    'every file matches: exit 0 only when all do; exit 1 naming each changed, added or missing',
    'file, or the wrong key; exit 2 for a malformed signature or unreadable input. Keyless Sigstore',
    'bundles are checked offline against the files and then exit 1: there is no trust root.',
    'Unchanged files (same device, inode, size, mtime and ctime) are not rehashed: digests are',
    'cached in <home>/cache/verify when a state folder exists; --no-cache rehashes everything.',
    'See docs/cli/verify.md.',
  ].join('\n'),
  options: {
    key: {
      type: 'string',
      value: '<public.pem>',
      description: 'key method: the signer public key',
    },
    'certificate-chain': {
      type: 'string',
      value: '<ca.pem>',
      description: 'certificate method: trusted root certificate(s)',
    },
    signature: {
      type: 'string',
      value: '<file>',
      description: 'the signature (default model.sig / <file>.sig)',
    },
    'ignore-paths': {
      type: 'string',
      multiple: true,
      value: '<path>',
      description: 'extra model-relative path to ignore (repeatable)',
    },
    'allow-symlinks': {
      type: 'boolean',
      description: 'follow links to files instead of refusing them',
    },
    'check-ignored': {
      type: 'boolean',
      description: 'fail on files under ignored paths that were not there at signing time',
    },
    'no-cache': {
      type: 'boolean',
      description: 'rehash every file (ignore the incremental cache)',
    },
  },
  positionals: { min: 1, max: 1 },
  examples: [
    'rampart verify ./my-model --key signing.pub',
    'rampart verify ./my-model --certificate-chain ca.pem --json',
    'rampart verify model.safetensors --key signing.pub --signature model.safetensors.sig',
  ],
  async run(context, input) {
    const model = path.resolve(context.cwd, input.positionals[0] ?? '');
    const keyFile = stringOption(input, 'key');
    const rootsFile = stringOption(input, 'certificate-chain');
    if (keyFile !== undefined && rootsFile !== undefined) {
      throw new RampartError(
        'RAMPART_USAGE',
        'verify: give --key or --certificate-chain, not both',
      );
    }
    const signature = stringOption(input, 'signature');
    const home = context.location.home;
    const hasState = await pathExists(home);
    const audit = (digest: string | undefined, allowed: boolean, reason?: string) =>
      recordModelEvent({
        home,
        configFile: context.location.configFile,
        env: context.env,
        actor: context.env.USER ?? 'local',
        action: 'model.verify',
        model,
        digest,
        allowed,
        ...(reason === undefined ? {} : { reason }),
      });
    let result: VerifyResult;
    try {
      result = await verifyModel(model, {
        ...(keyFile === undefined
          ? {}
          : { publicKey: await loadPublicKey(path.resolve(context.cwd, keyFile)) }),
        ...(rootsFile === undefined
          ? {}
          : { roots: await loadCertificates(path.resolve(context.cwd, rootsFile)) }),
        ...(signature === undefined ? {} : { signaturePath: path.resolve(context.cwd, signature) }),
        ignorePaths: listOption(input, 'ignore-paths'),
        allowSymlinks: input.options['allow-symlinks'] === true,
        checkIgnored: input.options['check-ignored'] === true,
        ...(hasState ? { cacheFolder: path.join(home, 'cache', 'verify') } : {}),
        readCache: input.options['no-cache'] !== true,
      });
    } catch (error) {
      const digest = isRampartError(error) ? error.details.digest : undefined;
      if (isRampartError(error) && (error.kind === 'integrity' || error.kind === 'refused')) {
        await audit(typeof digest === 'string' ? digest : undefined, false, error.code).catch(
          () => null,
        );
      }
      throw error;
    }
    const auditIndex = await audit(
      result.digest,
      result.ok,
      result.ok ? undefined : 'RAMPART_MODEL_MISMATCH',
    );
    return report(result, auditIndex);
  },
};

function report(result: VerifyResult, auditIndex: number | null): CommandResult {
  const json = { ...result, auditIndex };
  if (result.ok) {
    const signer =
      result.signer.kind === 'key'
        ? `key ${result.signer.id}`
        : `certificate key ${result.signer.id}`;
    return {
      exitCode: 0,
      json,
      text: `Verified ${result.fileCount} files (${result.totalSize} bytes) against ${result.signaturePath}\ndigest ${result.digest}\nsigned by ${signer}`,
    };
  }
  const lines = [`rampart: model does not match ${result.signaturePath}`];
  for (const name of result.changed) lines.push(`  changed: ${name}`);
  for (const name of result.added) lines.push(`  added:   ${name}`);
  for (const name of result.missing) lines.push(`  missing: ${name}`);
  for (const name of result.addedIgnored) lines.push(`  added under an ignored path: ${name}`);
  if (result.signer.kind === 'sigstore')
    lines.push('  (keyless Sigstore signature: its signature was not checked either)');
  return { exitCode: 1, json, text: lines.join('\n') };
}
