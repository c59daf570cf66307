import * as z from 'zod';

const port = z.number().int().min(0).max(65535);

/** HTTPS for a listener: PEM file paths, relative to the state folder; null for plain HTTP. */
const tlsSchema = z
  .strictObject({
    /** PEM certificate chain and private key the server presents. */
    cert: z.string().min(1),
    key: z.string().min(1),
    /** PEM CA bundle; when set, every client must present a certificate it issued (mTLS). */
    clientCa: z.string().min(1).nullable().default(null),
  })
  .nullable()
  .default(null);

/** Listening address of the control-plane HTTP server. */
const serverSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(8470),
    tls: tlsSchema,
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

/** OpenID Connect issuer whose JWT access tokens the control plane accepts. */
const oidcSchema = z.strictObject({
  issuer: z.url(),
  audience: z.string().min(1),
  /** Default: the issuer's `/.well-known/openid-configuration` jwks_uri. */
  jwksUrl: z.url().nullable().default(null),
  algorithms: z
    .array(
      z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA']),
    )
    .min(1)
    .default(['RS256', 'ES256', 'EdDSA']),
  /** The claim naming the principal (a principal of that name must exist). */
  subjectClaim: z.string().min(1).default('sub'),
  /** How long fetched signing keys are trusted before they are fetched again. */
  jwksCacheMs: z.number().int().min(1000).max(86_400_000).default(600_000),
  /** Allowed clock skew when checking exp/nbf/iat. */
  clockToleranceS: z.number().int().min(0).max(300).default(30),
});

const identitySchema = z
  .strictObject({
    oidc: oidcSchema.nullable().default(null),
    /** Longest lifetime a new API token may have. */
    tokenMaxDays: z.number().int().min(1).max(3650).default(365),
  })
  .prefault({});

/** Where key-encryption keys live: the local key file (default) or HashiCorp Vault Transit. */
const encryptionSchema = z
  .strictObject({
    provider: z.enum(['local', 'vault']).default('local'),
    vault: z
      .strictObject({
        address: z.url(),
        /** Transit key name. */
        key: z.string().min(1).default('rampart'),
        /** Mount path of the Transit engine. */
        mount: z.string().min(1).default('transit'),
        /** The environment variable holding the Vault token (never the token itself). */
        tokenEnv: z.string().min(1).default('VAULT_TOKEN'),
        namespace: z.string().min(1).nullable().default(null),
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
      })
      .nullable()
      .default(null),
  })
  .prefault({});

/** The promotion policy of one alias. */
const aliasPolicySchema = z.strictObject({
  /** A protected alias moves only through an approved promotion request. */
  protected: z.boolean().default(true),
  /** Approvals needed, by role, each from a different principal who is not the registrant. */
  approvals: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/), z.number().int().min(1).max(10))
    .default({ approver: 1, 'security-reviewer': 1 }),
  /** Evaluation evidence (at least one --evidence file) must be attached to the request. */
  requireEvidence: z.boolean().default(true),
  /** How long a request stays open. */
  requestTtlHours: z.number().int().min(1).max(8760).default(72),
});

/** The default policy of `production`: kept unless rampart.yaml gives `production` its own. */
const PRODUCTION_POLICY = {
  protected: true,
  approvals: { approver: 1, 'security-reviewer': 1 },
  requireEvidence: true,
  requestTtlHours: 72,
};

/** A dataset whose new versions must pass `data check` against the latest version first. */
const datasetPolicySchema = z.strictObject({
  requireCheck: z.boolean().default(true),
  /** A rampart.schema/v1 file (relative to the state folder) every version must satisfy. */
  schema: z.string().min(1).nullable().default(null),
  /** The label column (label shift and label-flip signals). */
  label: z.string().min(1).max(1024).nullable().default(null),
  mode: z.enum(['strict', 'evidently']).default('strict'),
});

const datasetsSchema = z
  .strictObject({
    policies: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/), datasetPolicySchema)
      .default({}),
  })
  .prefault({});

const registrySchema = z
  .strictObject({
    // Listing other aliases never drops production's protection; to change it, list production.
    aliases: z
      .record(z.string().regex(/^[a-z][a-z0-9-]{0,62}$/), aliasPolicySchema)
      .default({ production: PRODUCTION_POLICY })
      .transform((aliases): Record<string, z.infer<typeof aliasPolicySchema>> => ({
        production: PRODUCTION_POLICY,
        ...aliases,
      })),
  })
  .prefault({});

/** Token-bucket limits per (caller, model). */
const rateLimitSchema = z.strictObject({
  /** Tokens added per second. */
  rate: z.number().positive().max(1_000_000).default(100),
  /** Bucket size: the largest burst. */
  burst: z.number().int().min(1).max(10_000_000).default(200),
  /** What one request costs: 1 per request, or its number of input tensor elements. */
  cost: z.enum(['requests', 'elements']).default('requests'),
});

/** One model the gateway serves: a registry model through one of its aliases. */
const servedModelSchema = z.strictObject({
  /** The name clients use in /v2/models/{name}. */
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/),
  /** The registry model (default: the same as name). */
  model: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,127}$/)
    .nullable()
    .default(null),
  /** The alias whose approved version is served. */
  alias: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/)
    .default('production'),
  /** null: the embedded ONNX model server; else the base URL of an OIP v2 server. */
  upstream: z.url().nullable().default(null),
  rateLimit: rateLimitSchema.nullable().default(null),
});

/** The inference gateway: the only listener meant to be exposed. */
const gatewaySchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(8471),
    tls: tlsSchema,
    bodyLimitBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 ** 3)
      .default(1024 * 1024),
    maxJsonDepth: z.number().int().min(4).max(512).default(32),
    headersTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    requestTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
    keepAliveTimeoutMs: z.number().int().min(0).max(600_000).default(5_000),
    maxConnections: z.number().int().min(1).max(1_000_000).default(1024),
    upstreamTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
    maxInFlightPerKey: z.number().int().min(1).max(100_000).default(16),
    maxInFlightPerUpstream: z.number().int().min(1).max(100_000).default(256),
    /** Shed load (503 + Retry-After) when the event loop is this late (p99 over 1 s). */
    maxEventLoopDelayMs: z.number().int().min(10).max(60_000).default(200),
    /** How often the registry is polled for alias moves, quarantines and deployments. */
    refreshMs: z.number().int().min(100).max(3_600_000).default(5_000),
    /** How long an authenticated credential is cached (revocation takes at most this long). */
    authCacheMs: z.number().int().min(0).max(300_000).default(5_000),
    rateLimit: rateLimitSchema.prefault({}),
    models: z.array(servedModelSchema).max(1000).default([]),
    canary: z
      .strictObject({
        windowMs: z.number().int().min(50).max(3_600_000).default(60_000),
        minSamples: z.number().int().min(1).max(1_000_000).default(100),
        maxErrorRate: z.number().min(0).max(1).default(0.05),
        maxP99Ms: z.number().positive().max(3_600_000).default(1000),
      })
      .prefault({}),
  })
  .prefault({});

/** Inference monitoring at the gateway (docs/monitoring.md). */
const monitorSchema = z
  .strictObject({
    /** One CloudEvents record per inference request; false turns the inference log off. */
    enabled: z.boolean().default(true),
    /** What a record keeps of the inputs and outputs. */
    privacy: z.enum(['none', 'summary', 'hashed', 'redacted', 'full']).default('summary'),
    /** redacted mode: per tensor name, keep | hash | drop (unlisted tensors are dropped). */
    fields: z.record(z.string().max(256), z.enum(['keep', 'hash', 'drop'])).default({}),
    /** The JSON-lines inference log, relative to the state folder (rotated by size). */
    logFile: z.string().min(1).default('monitor/inference.jsonl'),
    logMaxBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 ** 4)
      .default(64 * 1024 * 1024),
    /** Records waiting to be written; a full queue drops (and counts) rather than block serving. */
    queueCapacity: z.number().int().min(1).max(10_000_000).default(10_000),
    extraction: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** PRADA alarms when Shapiro–Wilk W falls below this. */
        delta: z.number().min(0).max(1).default(0.9),
        /** Refuse (429) an alarmed principal's inference for throttleSeconds. */
        throttle: z.boolean().default(false),
        throttleSeconds: z
          .number()
          .int()
          .min(1)
          .max(86_400 * 30)
          .default(300),
      })
      .prefault({}),
    drift: z
      .strictObject({
        /** Compare each served version's inputs per window with its training data. */
        enabled: z.boolean().default(true),
        windowSeconds: z
          .number()
          .int()
          .min(1)
          .max(86_400 * 7)
          .default(300),
        /** Windows with fewer rows are not judged. */
        minRows: z.number().int().min(10).max(10_000_000).default(200),
        /** Rows kept per window (later rows are counted, not kept). */
        maxRows: z.number().int().min(10).max(10_000_000).default(100_000),
      })
      .prefault({}),
    alerts: z
      .strictObject({
        /** POST each alert as JSON here (null: log and audit only). */
        webhook: z.url().nullable().default(null),
        /** One alert per (kind, principal, model) per cooldown. */
        cooldownSeconds: z
          .number()
          .int()
          .min(0)
          .max(86_400 * 30)
          .default(900),
      })
      .prefault({}),
  })
  .prefault({});

/** The whole of rampart.yaml. Unknown keys anywhere are errors. */
export const configSchema = z.strictObject({
  server: serverSchema,
  store: storeSchema,
  blobs: blobsSchema,
  log: logSchema,
  hashing: hashingSchema,
  identity: identitySchema,
  encryption: encryptionSchema,
  datasets: datasetsSchema,
  registry: registrySchema,
  gateway: gatewaySchema,
  monitor: monitorSchema,
});

/** Fully resolved configuration (every default filled in). */
export type Config = z.infer<typeof configSchema>;
