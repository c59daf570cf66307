import path from 'node:path';
import {
  localWitnessSource,
  witnessCheckpoint,
  type AuditEntry,
  type OpenedAuditLog,
  type WitnessReport,
} from '../../../audit/index.js';
import { RampartError } from '../../../core/index.js';
import type { CommandContext, CommandInput, CommandResult } from '../../command.js';
import { stringOption } from '../../options.js';
import { countOption, parseCount, readEventArgument } from './input.js';
import { remoteWitnessSource } from './remote.js';

/** Opens the local audit log on first use (the CLI closes the state afterwards). */
export type LogOpener = () => Promise<OpenedAuditLog>;

/** One `rampart audit` action: its argument, and what it does. */
export interface AuditAction {
  /** The positional argument after the action, if it takes one. */
  readonly argument?: string;
  run(context: CommandContext, input: CommandInput, open: LogOpener): Promise<CommandResult>;
}

const MAX_TAIL = 10_000;

const ok = (json: unknown, text: string): CommandResult => ({ exitCode: 0, json, text });

/** The actions of `rampart audit`, by name. */
export const AUDIT_ACTIONS: Readonly<Record<string, AuditAction>> = {
  append: {
    argument: '<file|->',
    async run(context, input, open) {
      const event = await readEventArgument(context, input.positionals[1] ?? '');
      const receipt = await (await open()).log.append(event);
      return ok(receipt, `Appended audit entry ${receipt.index}.\n${receipt.checkpoint}`);
    },
  },
  tail: {
    async run(_context, input, open) {
      const count = countOption(input, 'count', MAX_TAIL) ?? 10;
      const { log } = await open();
      const size = await log.size();
      const entries = count === 0 ? [] : await log.entries(Math.max(0, size - count), count);
      const text = entries.length === 0 ? 'The audit log is empty.' : entries.map(line).join('\n');
      return ok({ size, entries }, text);
    },
  },
  show: {
    argument: '<index>',
    async run(_context, input, open) {
      const entry = await (await open()).log.entry(indexArgument(input));
      const text = `entry ${entry.index}, appended ${entry.appendedAt}, leaf hash ${entry.leafHash}\n${JSON.stringify(entry.event, null, 2)}`;
      return ok(entry, text);
    },
  },
  proof: {
    argument: '<index>',
    async run(_context, input, open) {
      const index = indexArgument(input);
      const { log } = await open();
      const proof = await log.inclusion(index, countOption(input, 'size'));
      const { leafHash } = proof;
      return ok(
        proof,
        [
          `inclusion of entry ${index} in the tree of size ${proof.size}`,
          `leaf hash ${leafHash}`,
          `root      ${proof.root}`,
          ...proof.proof.map((hash, i) => `proof[${i}]  ${hash}`),
        ].join('\n'),
      );
    },
  },
  consistency: {
    argument: '<from>',
    async run(_context, input, open) {
      const from = parseCount('<from>', input.positionals[1]);
      const proof = await (await open()).log.consistency(from, countOption(input, 'to'));
      return ok(
        { from, size: proof.size, root: proof.root, proof: proof.proof },
        [
          `consistency of the tree of size ${from} with the tree of size ${proof.size}`,
          `root      ${proof.root}`,
          ...proof.proof.map((hash, i) => `proof[${i}]  ${hash}`),
        ].join('\n'),
      );
    },
  },
  verify: {
    async run(_context, _input, open) {
      const report = await (await open()).log.verify();
      return ok(
        report,
        `Audit log verified: ${report.size} entries, ${report.checkpoints} signed checkpoints, root ${report.root}.`,
      );
    },
  },
  checkpoint: {
    async run(_context, _input, open) {
      const { log, verifierKey } = await open();
      const latest = await log.latestCheckpoint();
      const json = { checkpoint: latest?.note ?? null, verifierKey, origin: log.origin };
      return ok(
        { ...json, size: latest?.size ?? 0 },
        latest?.note ?? 'The audit log is empty: no checkpoint yet.',
      );
    },
  },
  witness: {
    async run(context, input, open) {
      const fileOption = stringOption(input, 'checkpoint-file');
      if (fileOption === undefined) {
        throw new RampartError('RAMPART_USAGE', 'audit witness: --checkpoint-file is required', {
          hint: 'Usage: rampart audit witness --checkpoint-file <file> [--url <url>]',
        });
      }
      const file = path.resolve(context.cwd, fileOption);
      const url = stringOption(input, 'url');
      const source =
        url === undefined
          ? await open().then(({ log, verifierKey }) => localWitnessSource(log, verifierKey))
          : remoteWitnessSource(url);
      const report = await witnessCheckpoint(source, file);
      return ok({ ...report, checkpointFile: file }, witnessText(report, file));
    },
  },
};

function indexArgument(input: CommandInput): number {
  return parseCount('<index>', input.positionals[1]);
}

function line(entry: AuditEntry): string {
  const { event } = entry;
  const decision = event.decision.allowed ? 'allowed' : 'denied';
  return `${entry.index}  ${event.time}  ${event.action}  ${event.resource.type}/${event.resource.id}  ${decision}  ${event.actor.subject}`;
}

function witnessText(report: WitnessReport, file: string): string {
  switch (report.status) {
    case 'first':
      return `Pinned log ${report.origin} at size ${report.size} in ${file} (first contact).`;
    case 'unchanged':
      return `Log ${report.origin} unchanged at size ${report.size}.`;
    case 'extended':
      return `Log ${report.origin} grew from ${report.previousSize ?? 0} to ${report.size} entries; consistency proof verified; ${file} updated.`;
  }
}
