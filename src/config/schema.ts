import { z } from 'zod';

const port = z.number().int().min(0).max(65535);

/** Listening address of the control-plane HTTP server. */
const serverSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(8470),
  })
  .prefault({});

/** Where metadata lives: embedded SQLite unless a PostgreSQL URL is given. */
const storeSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^(postgres|postgresql):\/\//, 'must be a postgres:// or postgresql:// URL')
      .nullable()
      .default(null),
    sqliteFile: z.string().min(1).default('rampart.db'),
    busyTimeoutMs: z.number().int().min(0).max(600_000).default(5000),
    poolMax: z.number().int().min(1).max(1000).default(10),
  })
  .prefault({});

const blobsSchema = z
  .strictObject({
    dir: z.string().min(1).default('blobs'),
  })
  .prefault({});

const logSchema = z
  .strictObject({
    level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    format: z.enum(['json', 'text']).default('json'),
  })
  .prefault({});

const hashingSchema = z
  .strictObject({
    workers: z.number().int().min(0).max(256).default(0),
    shardSize: z.number().int().min(1).default(1_000_000_000),
  })
  .prefault({});

/** The whole of rampart.yaml. Unknown keys anywhere are errors. */
export const configSchema = z.strictObject({
  server: serverSchema,
  store: storeSchema,
  blobs: blobsSchema,
  log: logSchema,
  hashing: hashingSchema,
});

/** Fully resolved configuration (every default filled in). */
export type Config = z.infer<typeof configSchema>;
