import type { Command, OptionSpec } from './command.js';
import { loadCommands } from './commands/index.js';
import { GLOBAL_OPTIONS } from './global-options.js';

/** `rampart --help`: what Rampart is, the commands and the global options. */
export async function globalHelp(): Promise<string> {
  const commands = await loadCommands();
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const lines = [
    'rampart: defence in depth for machine-learning pipelines',
    '',
    'Usage: rampart <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Exit codes: 0 ok, 1 a check failed or was refused, 2 usage or input error.',
    'Run `rampart <command> --help` for a command; docs/ has a page for each.',
    '',
  ];
  return lines.join('\n');
}

/** `rampart <command> --help`: usage, description, options and examples. */
export function commandHelp(command: Command): string {
  const lines = [
    `Usage: rampart ${command.usage}`,
    '',
    command.summary,
    '',
    command.description,
    '',
  ];
  if (Object.keys(command.options).length > 0) {
    lines.push('Options:', ...optionLines(command.options), '');
  }
  lines.push('Global options:', ...optionLines(GLOBAL_OPTIONS), '');
  if (command.examples.length > 0) {
    lines.push('Examples:', ...command.examples.map((e) => `  ${e}`), '');
  }
  return lines.join('\n');
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const labels = Object.entries(options).map(([name, spec]) => {
    const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
    return [
      `${short}--${name}${spec.value === undefined ? '' : ` ${spec.value}`}`,
      spec.description,
    ];
  });
  const width = Math.max(...labels.map(([label]) => (label ?? '').length)) + 2;
  return labels.map(([label, text]) => `  ${(label ?? '').padEnd(width)}${text ?? ''}`);
}
