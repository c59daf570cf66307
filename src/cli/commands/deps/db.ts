/** `rampart deps db import|status`: the advisory database imported into the state folder. */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { fileError, hashFile, RampartError } from '../../../core/index.js';
import {
  IMPORT_LIMITS,
  importAdvisories,
  readAdvisoryIndex,
  walkRecords,
  type AdvisoryIndex,
} from '../../../training/index.js';
import type { CommandContext, CommandInput, CommandResult } from '../../command.js';
import { actionArgument } from '../../options.js';
import { openSession } from '../../session.js';
import { zipRecords } from './zip-records.js';

const ACTIONS = ['import', 'status'] as const;
// Folder depth: the PyPA layout is two levels (vulns/<package>/<record>).
const MAX_DEPTH = 16;

/** Runs `deps db <import|status>`. */
export async function runDb(context: CommandContext, input: CommandInput): Promise<CommandResult> {
  const name = input.positionals[1] ?? '';
  const action = ACTIONS.find((a) => a === name);
  if (action === undefined) {
    throw new RampartError(
      'RAMPART_USAGE',
      `deps db: ${name === '' ? 'missing action' : `unknown action '${name}'`}`,
      {
        hint: `Use one of: ${ACTIONS.join(', ')}.`,
      },
    );
  }
  return action === 'import' ? runImport(context, input) : runStatus(context);
}

async function runImport(context: CommandContext, input: CommandInput): Promise<CommandResult> {
  const given = actionArgument(
    'deps db',
    { ...input, positionals: input.positionals.slice(1) },
    '<folder|zip>',
  );
  if (input.positionals.length > 3)
    throw new RampartError('RAMPART_USAGE', 'deps db import: one folder or zip at a time');
  const source = path.resolve(context.cwd, given);
  const info = await lstat(source).catch((error: unknown) => {
    throw fileError(error, source);
  });
  const skipInvalid = input.options['skip-invalid'] === true;
  const home = context.location.home;
  // The database decides which pins fail every audit and training run: importing is audited.
  const session = await openSession(context, { create: false });
  try {
    const resource = { type: 'advisory-db', id: source.slice(0, 256) };
    await session.authorize('advisories.import', resource);
    const done = await importFrom(source, info.isDirectory(), home, skipInvalid).catch(
      async (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        await session.identity.access.record(session.principal, 'advisories.import', resource, {
          allowed: false,
          reason: `import failed: ${reason}`,
        });
        throw error;
      },
    );
    await session.identity.access.record(session.principal, 'advisories.import', resource, {
      allowed: true,
      reason: `imported ${done.json.index.records} record(s), digest ${done.json.index.digest}`,
    });
    return done;
  } finally {
    await session.close();
  }
}

async function importFrom(
  source: string,
  isFolder: boolean,
  home: string,
  skipInvalid: boolean,
): Promise<CommandResult & { json: { index: AdvisoryIndex; skipped: readonly unknown[] } }> {
  const result = isFolder
    ? await importAdvisories(
        walkRecords(source, {
          maxFiles: IMPORT_LIMITS.maxRecords,
          maxRecordBytes: IMPORT_LIMITS.maxRecordBytes,
          maxDepth: MAX_DEPTH,
        }),
        { home, source: { path: source, kind: 'folder' }, skipInvalid },
      )
    : await importAdvisories(zipRecords(source), {
        home,
        source: { path: source, kind: 'zip', digest: (await hashFile(source)).digest },
        skipInvalid,
      });
  const lines = [
    ...result.skipped.map((skip) => `SKIPPED  ${skip.reason}`),
    ...renderIndex(result.index),
  ];
  return {
    exitCode: 0,
    json: { index: result.index, skipped: result.skipped },
    text: lines.join('\n'),
  };
}

async function runStatus(context: CommandContext): Promise<CommandResult> {
  const index = await readAdvisoryIndex(context.location.home);
  if (index === undefined) {
    throw new RampartError(
      'RAMPART_ADVISORY_DB_MISSING',
      `deps db status: no advisory database imported in ${context.location.home}`,
      { hint: 'Run `rampart deps db import <folder|zip>` first.' },
    );
  }
  return { exitCode: 0, json: index, text: renderIndex(index).join('\n') };
}

function renderIndex(index: AdvisoryIndex): string[] {
  const ecosystems = Object.entries(index.ecosystems)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  const skipped = [
    `${index.withdrawn_skipped} withdrawn`,
    `${index.other_ecosystems_skipped} other ecosystems`,
    `${index.duplicates_skipped} duplicate ids`,
    `${index.invalid_skipped} invalid`,
    `${index.ignored_files} other files`,
  ].join(', ');
  return [
    `advisories  ${index.records} records (${ecosystems === '' ? 'none' : ecosystems}) for ${index.packages} packages`,
    `source      ${index.source} (${index.source_kind}${index.source_digest === undefined ? '' : ` ${index.source_digest}`})`,
    `imported    ${index.imported_at}`,
    `digest      ${index.digest}`,
    `skipped     ${skipped}`,
  ];
}
