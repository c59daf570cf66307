import path from 'node:path';
import { RampartError } from '../../core/index.js';
import { joinLabels } from '../../monitor/index.js';
import type { Command } from '../command.js';
import { actionArgument, actionOf, stringOption } from '../options.js';
import { openSession } from '../session.js';

const ACTIONS = ['labels'] as const;

/** `rampart monitor labels`: accuracy of served predictions once delayed labels arrive. */
export const monitorCommand: Command = {
  name: 'monitor',
  summary: 'Join delayed labels with the inference log and report accuracy',
  usage: 'monitor labels <file> [--records F] [--min-accuracy X]',
  description: [
    'labels <file>   a CSV (request_id,label header) or JSON-lines file of {request_id, label}',
    '                joined with the gateway inference log by request id; prints accuracy and',
    '                per-class recall. With --min-accuracy, exit 1 when accuracy is below it.',
    'Labels must use the classes the gateway records as `predicted` (a classifier`s class index).',
    'See docs/monitoring.md.',
  ].join('\n'),
  options: {
    records: {
      type: 'string',
      value: '<file>',
      actions: ['labels'],
      description: 'the inference log (default: monitor.logFile in the state folder)',
    },
    'min-accuracy': {
      type: 'string',
      value: '<0..1>',
      actions: ['labels'],
      description: 'fail (exit 1, audited) when accuracy is below this',
    },
  },
  positionals: { min: 1, max: 2 },
  examples: ['rampart monitor labels labels.csv --min-accuracy 0.9'],
  async run(context, input) {
    actionOf('monitor', input, ACTIONS);
    const file = path.resolve(context.cwd, actionArgument('monitor', input, 'labels file'));
    const floorText = stringOption(input, 'min-accuracy');
    const floor = floorText === undefined ? undefined : Number(floorText);
    if (floor !== undefined && !(floor >= 0 && floor <= 1)) {
      throw new RampartError('RAMPART_USAGE', `--min-accuracy ${floorText ?? ''} is not in 0..1`);
    }
    const session = await openSession(context, { create: false });
    try {
      const resource = { type: 'inference-log', id: 'labels' };
      await session.authorize('monitor.read', resource);
      const records = path.resolve(
        session.state.layout.home,
        stringOption(input, 'records') ?? session.state.config.monitor.logFile,
      );
      const report = await joinLabels(records, file);
      const below = floor !== undefined && (report.accuracy === null || report.accuracy < floor);
      if (floor !== undefined) {
        await session.identity.access.record(session.principal, 'monitor.performance', resource, {
          allowed: !below,
          reason: `accuracy ${report.accuracy ?? 'unknown'} on ${report.matched} labelled predictions (floor ${floor})`,
        });
      }
      const text = [
        `accuracy ${report.accuracy === null ? 'n/a' : report.accuracy.toFixed(4)} on ${report.matched} labelled predictions (${report.unmatched} labels unmatched, ${report.duplicates} duplicates)`,
        ...Object.entries(report.per_class).map(
          ([label, c]) => `  ${label}: ${c.correct}/${c.count} (${c.accuracy.toFixed(4)})`,
        ),
        ...(below ? [`BELOW the floor ${String(floor)}`] : []),
      ].join('\n');
      return {
        exitCode: below ? 1 : 0,
        json: { ...report, ...(floor === undefined ? {} : { floor, below }) },
        text,
      };
    } finally {
      await session.close();
    }
  },
};
