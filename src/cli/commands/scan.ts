import path from 'node:path';
import { packageVersion, RampartError, writeFileAtomic } from '../../core/index.js';
import {
  renderText,
  scanPaths,
  SEVERITIES,
  summaryLine,
  toSarif,
  verdict,
  verdictName,
  DEFAULT_FAIL_ON,
  type ScanReport,
  type Severity,
} from '../../scan/index.js';
import type { Command, CommandInput } from '../command.js';
import { listOption } from '../options.js';

const FORMATS = ['text', 'json', 'sarif'] as const;
type ReportFormat = (typeof FORMATS)[number];

/** `rampart scan <path...>`: static analysis of model artefacts for code that runs on load. */
export const scanCommand: Command = {
  name: 'scan',
  summary: 'Scan model files, folders and archives for code that would run when they are loaded',
  usage: 'scan <path...> [--format text|json|sarif] [--output <file>] [--fail-on <severity>]',
  description: [
    'Sniffs every file (and every archive member, recursively) by content, not by name, and',
    'inspects it without loading it: pickle (a full opcode simulation against an allowlist),',
    'PyTorch and other zips, NumPy, joblib streams, HDF5/Keras, SavedModel, ONNX, safetensors,',
    'GGUF and chat templates. Exit 0: clean; 1: a finding at or above --fail-on; 2: something',
    'could not be scanned (a finding always wins). Severities: info, low, medium, high,',
    'critical. Rules and limits: docs/cli/scan.md.',
  ].join('\n'),
  options: {
    format: {
      type: 'string',
      value: '<text|json|sarif>',
      description: 'report format (default text; json with --json)',
    },
    output: {
      type: 'string',
      value: '<file>',
      description: 'write the report to a file; a summary still goes to stdout',
    },
    'fail-on': {
      type: 'string',
      value: '<severity>',
      description: `lowest severity that fails the scan (default ${DEFAULT_FAIL_ON})`,
    },
    'fail-on-error': {
      type: 'boolean',
      description: 'exit 1, not 2, when something could not be scanned (fail closed)',
    },
    allow: {
      type: 'string',
      multiple: true,
      value: '<module.name>',
      description: 'trust a pickle callable of your own code (repeatable; never a denied one)',
    },
    'max-depth': {
      type: 'string',
      value: '<n>',
      description: 'how deep to follow archives and nested payloads (default 8)',
    },
  },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  examples: [
    'rampart scan model.pt',
    'rampart scan ./models --format sarif --output rampart.sarif',
    'rampart scan pytorch_model.bin --fail-on high --json',
    'rampart scan model.pkl --allow mypkg.features.make_pipeline',
  ],
  async run(context, input) {
    const format = reportFormat(input, context.json);
    const failOn = severityOption(input);
    const maxDepth = depthOption(input);
    const report = await scanPaths(input.positionals, {
      cwd: context.cwd,
      allowGlobals: allowOption(input),
      ...(maxDepth === undefined ? {} : { limits: { maxDepth } }),
    });
    const code = verdict(report, failOn, input.options['fail-on-error'] === true);
    const json = jsonReport(report, code, failOn);
    const rendered =
      format === 'text'
        ? renderText(report, code)
        : `${JSON.stringify(format === 'sarif' ? toSarif(report, { version: packageVersion() }) : json, null, 2)}\n`;
    const output = input.options.output;
    if (typeof output === 'string') {
      const target = path.resolve(context.cwd, output);
      await writeFileAtomic(target, rendered, { mode: 0o644, exclusive: false });
      return { exitCode: code, json, text: `${summaryLine(report, code)}; report in ${target}` };
    }
    return { exitCode: code, json, text: context.json ? '' : rendered };
  },
};

function jsonReport(report: ScanReport, code: 0 | 1 | 2, failOn: Severity): object {
  return {
    verdict: verdictName(code),
    exitCode: code,
    failOn,
    findings: report.findings,
    problems: report.problems,
    scanned: report.scanned,
    stats: { bytesRead: report.bytes, durationMs: Math.round(report.durationMs) },
  };
}

function reportFormat(input: CommandInput, json: boolean): ReportFormat {
  const flag = input.options.format;
  if (flag === undefined) return json ? 'json' : 'text';
  if (typeof flag === 'string' && (FORMATS as readonly string[]).includes(flag)) {
    return flag as ReportFormat;
  }
  throw new RampartError('RAMPART_USAGE', `--format ${String(flag)} is not a report format`, {
    hint: `Use one of: ${FORMATS.join(', ')}.`,
  });
}

function severityOption(input: CommandInput): Severity {
  const flag = input.options['fail-on'];
  if (flag === undefined) return DEFAULT_FAIL_ON;
  if (typeof flag === 'string' && (SEVERITIES as readonly string[]).includes(flag)) {
    return flag as Severity;
  }
  throw new RampartError('RAMPART_USAGE', `--fail-on ${String(flag)} is not a severity`, {
    hint: `Use one of: ${SEVERITIES.join(', ')}.`,
  });
}

const QUALIFIED_NAME = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/;

function allowOption(input: CommandInput): string[] {
  const names = listOption(input, 'allow');
  const bad = names.find((name) => !QUALIFIED_NAME.test(name));
  if (bad !== undefined) {
    throw new RampartError('RAMPART_USAGE', `--allow ${bad} is not a module.name`, {
      hint: 'Give the callable exactly as a finding names it, e.g. --allow mypkg.layers.build.',
    });
  }
  return names;
}

function depthOption(input: CommandInput): number | undefined {
  const flag = input.options['max-depth'];
  if (flag === undefined) return undefined;
  if (typeof flag === 'string' && /^\d{1,3}$/.test(flag)) return Number(flag);
  throw new RampartError('RAMPART_USAGE', `--max-depth ${String(flag)} is not a whole number`, {
    hint: 'Give a depth such as 8; 0 scans only the files themselves.',
  });
}
