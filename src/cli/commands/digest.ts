import { stat } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../config/index.js';
import {
  DEFAULT_IGNORE_PATHS,
  fileError,
  hashFile,
  hashFolder,
  HashPool,
} from '../../core/index.js';
import type { Command, CommandInput } from '../command.js';
import { listOption, shardSizeOption } from '../options.js';

/** `rampart digest <path>`: the content digest of a file, or the OMS root digest of a folder. */
export const digestCommand: Command = {
  name: 'digest',
  summary: 'Print the sha256 digest of a file, or the model-signing root digest of a folder',
  usage: 'digest <path> [--shards] [--shard-size <bytes>] [--manifest] [--ignore <path>]...',
  description: [
    'A file is named by the SHA-256 of its bytes. A folder is named by the root digest of its',
    'OpenSSF model-signing manifest: every regular file, paths ordered by their /-separated',
    'components, SHA-256 over the concatenated per-file (or per-shard) digests. This is the',
    'digest `model_signing digest` prints. .git, .github, .gitattributes and .gitignore are',
    'ignored; symbolic links, sockets and FIFOs inside a folder are refused. Files and shards',
    'are hashed on all cores (hashing.workers).',
  ].join('\n'),
  options: {
    shards: {
      type: 'boolean',
      description: 'hash files in shards (parallel even for one big file)',
    },
    'shard-size': {
      type: 'string',
      value: '<bytes>',
      description: 'shard size (default hashing.shardSize)',
    },
    manifest: {
      type: 'boolean',
      description: 'with --json, include every resource and its digest',
    },
    ignore: {
      type: 'string',
      multiple: true,
      value: '<path>',
      description: 'folder-relative path to leave out (repeatable)',
    },
  },
  positionals: { min: 1, max: 1 },
  examples: [
    'rampart digest model.safetensors',
    'rampart digest ./my-model --shards --json --manifest',
  ],
  async run(context, input) {
    const target = path.resolve(context.cwd, input.positionals[0] ?? '');
    const { config } = loadConfig({
      home: context.location.home,
      file: context.location.configFile,
      env: context.env,
    });
    const info = await stat(target).catch((error: unknown) => {
      throw fileError(error, target);
    });
    const pool = new HashPool(config.hashing.workers > 0 ? { size: config.hashing.workers } : {});
    try {
      if (info.isFile() && input.options.shards !== true) {
        const { digest, size } = await hashFile(target, { pool });
        return { exitCode: 0, json: { path: target, digest, size }, text: `${digest}  ${target}` };
      }
      const manifest = await hashFolder(target, {
        method: input.options.shards === true ? 'shards' : 'files',
        shardSize: shardSizeOption(input) ?? config.hashing.shardSize,
        ...ignoreOption(input),
        pool,
      });
      const json =
        input.options.manifest === true
          ? { path: target, ...manifest }
          : { path: target, ...manifest, resources: undefined };
      return { exitCode: 0, json, text: `${manifest.digest}  ${target}` };
    } finally {
      await pool.close();
    }
  },
};

function ignoreOption(input: CommandInput): { ignorePaths?: string[] } {
  const extra = listOption(input, 'ignore');
  return extra.length === 0 ? {} : { ignorePaths: [...DEFAULT_IGNORE_PATHS, ...extra] };
}
