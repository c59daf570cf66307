import { X509Certificate } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  fileError,
  isRampartError,
  pathExists,
  RampartError,
  readSmallFile,
  writeFileAtomic,
} from '../../core/index.js';
import {
  createCertificateAuthority,
  issueCertificate,
  type PemPair,
} from '../../identity/index.js';
import type { Command, CommandContext, CommandInput, CommandResult } from '../command.js';
import { actionOf, listOption, stringOption } from '../options.js';

const MAX_PEM_BYTES = 64 * 1024;
const PRIVATE = { mode: 0o600, exclusive: false } as const;

/** `rampart certs ca|issue`: a small local CA and short-lived mTLS certificates. */
export const certsCommand: Command = {
  name: 'certs',
  summary: 'Create a local certificate authority and short-lived mTLS certificates',
  usage: 'certs <ca|issue> [principal] [options]',
  description: [
    'ca                    create the local CA: <home>/certs/ca.crt and ca.key (ECDSA P-256)',
    'issue <principal>     a client certificate naming the principal',
    '                      (URI SAN spiffe://rampart.local/principal/<principal>), or with',
    '                      --server a server certificate for --host names (default localhost,',
    '                      127.0.0.1); written to <out>/<principal>.crt and .key',
    'Files are mode 0600 in a 0700 folder: the CA key is protected by its permissions only.',
    'Needs neither the database nor a token. See docs/cli/certs.md and docs/authentication.md.',
  ].join('\n'),
  options: {
    name: {
      type: 'string',
      value: '<name>',
      actions: ['ca'],
      description: 'ca: the CA subject name (default "Rampart local CA")',
    },
    days: {
      type: 'string',
      value: '<n>',
      actions: ['ca'],
      description: 'ca: lifetime in days (default 365, at most 3650)',
    },
    force: { type: 'boolean', actions: ['ca'], description: 'ca: replace an existing CA' },
    server: {
      type: 'boolean',
      actions: ['issue'],
      description: 'issue: a server certificate instead of a client one',
    },
    host: {
      type: 'string',
      multiple: true,
      value: '<host>',
      actions: ['issue'],
      description: 'issue --server: a DNS name or IP address (repeatable)',
    },
    hours: {
      type: 'string',
      value: '<n>',
      actions: ['issue'],
      description: 'issue: lifetime in hours (default 24, at most 720)',
    },
    out: {
      type: 'string',
      value: '<dir>',
      actions: ['issue'],
      description: 'issue: where to write the files (default <home>/certs)',
    },
  },
  positionals: { min: 1, max: 2 },
  examples: [
    'rampart certs ca',
    'rampart certs issue alice --hours 8',
    'rampart certs issue control-plane --server --host rampart.internal --host 10.0.0.5',
    'rampart certs issue ci-train --out ./secrets --json',
  ],
  async run(context, input) {
    const action = actionOf('certs', input, ['ca', 'issue'] as const);
    const argument = input.positionals[1];
    if (action === 'ca' && argument !== undefined) {
      throw new RampartError('RAMPART_USAGE', `certs ca: unexpected argument '${argument}'`);
    }
    if (action === 'issue' && argument === undefined) {
      throw new RampartError('RAMPART_USAGE', 'certs issue: missing <principal>');
    }
    return action === 'ca' ? createCa(context, input) : issue(context, input, argument ?? '');
  },
};

function caFiles(context: CommandContext): { dir: string; cert: string; key: string } {
  const dir = path.join(context.location.home, 'certs');
  return { dir, cert: path.join(dir, 'ca.crt'), key: path.join(dir, 'ca.key') };
}

async function createCa(context: CommandContext, input: CommandInput): Promise<CommandResult> {
  const files = caFiles(context);
  const force = input.options.force === true;
  if (!force && ((await pathExists(files.cert)) || (await pathExists(files.key)))) {
    throw new RampartError('RAMPART_CA_EXISTS', `a CA already exists in ${files.dir}`, {
      details: { path: files.dir },
    });
  }
  const name = stringOption(input, 'name') ?? 'Rampart local CA';
  const days = wholeNumber(input, 'days');
  const ca = await createCertificateAuthority({ name, ...(days === undefined ? {} : { days }) });
  await privateFolder(files.dir, true);
  await writeFileAtomic(files.key, ca.privateKey, PRIVATE);
  await writeFileAtomic(files.cert, ca.certificate, PRIVATE);
  const notAfter = new Date(new X509Certificate(ca.certificate).validTo).toISOString();
  return {
    exitCode: 0,
    json: { certificate: files.cert, key: files.key, name, notAfter },
    text: [
      `Created the local CA "${name}", valid until ${notAfter}.`,
      `  certificate  ${files.cert}`,
      `  key          ${files.key}`,
      'Give ca.crt to servers as server.tls.clientCa and to clients as their trusted CA.',
    ].join('\n'),
  };
}

async function issue(
  context: CommandContext,
  input: CommandInput,
  principal: string,
): Promise<CommandResult> {
  const files = caFiles(context);
  const ca = await readCa(files);
  const hours = wholeNumber(input, 'hours');
  const hosts = listOption(input, 'host');
  const leaf = await issueCertificate(ca, {
    principal,
    usage: input.options.server === true ? 'server' : 'client',
    ...(hosts.length === 0 ? {} : { hosts }),
    ...(hours === undefined ? {} : { hours }),
  });
  const out = path.resolve(context.cwd, stringOption(input, 'out') ?? files.dir);
  const target = {
    cert: path.join(out, `${principal}.crt`),
    key: path.join(out, `${principal}.key`),
  };
  if (target.cert === files.cert || target.key === files.key) {
    throw new RampartError(
      'RAMPART_CERTIFICATE_REQUEST_INVALID',
      `a certificate for '${principal}' would replace the CA files; write it elsewhere with --out`,
    );
  }
  await privateFolder(out, out === files.dir);
  await writeFileAtomic(target.key, leaf.privateKey, PRIVATE);
  await writeFileAtomic(target.cert, leaf.certificate, PRIVATE);
  const cert = new X509Certificate(leaf.certificate);
  const notAfter = new Date(cert.validTo).toISOString();
  const sans = (cert.subjectAltName ?? '').split(', ').filter((san) => san !== '');
  return {
    exitCode: 0,
    json: { certificate: target.cert, key: target.key, principal, notAfter, sans },
    text: [
      `Issued a ${input.options.server === true ? 'server' : 'client'} certificate for ${principal}, valid until ${notAfter}.`,
      `  subject      ${cert.subject}`,
      `  SANs         ${sans.join(', ')}`,
      `  certificate  ${target.cert}`,
      `  key          ${target.key}`,
    ].join('\n'),
  };
}

async function readCa(files: { cert: string; key: string }): Promise<PemPair> {
  try {
    const certificate = (await readSmallFile(files.cert, MAX_PEM_BYTES)).toString('utf8');
    const privateKey = (await readSmallFile(files.key, MAX_PEM_BYTES)).toString('utf8');
    return { certificate, privateKey };
  } catch (error) {
    if (isRampartError(error, 'RAMPART_FILE_NOT_FOUND')) {
      throw new RampartError('RAMPART_CA_NOT_FOUND', `no local CA in ${path.dirname(files.cert)}`, {
        details: { path: path.dirname(files.cert) },
      });
    }
    throw error;
  }
}

// mkdir's mode applies only to folders it creates. The CA's folder is tightened even when it
// exists, since it holds the CA key; a folder given with --out is the caller's to manage.
async function privateFolder(dir: string, tighten: boolean): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (tighten) await chmod(dir, 0o700);
  } catch (error) {
    throw fileError(error, dir, 'RAMPART_FILE_WRITE_FAILED');
  }
}

function wholeNumber(input: CommandInput, name: string): number | undefined {
  const value = stringOption(input, name);
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,5}$/.test(value)) {
    throw new RampartError('RAMPART_USAGE', `--${name} ${value} is not a positive whole number`);
  }
  return Number(value);
}
