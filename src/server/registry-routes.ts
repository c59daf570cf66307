/**
 * The registry over HTTP: the same operations and checks as `rampart model`, for the
 * authenticated principal. Every operation's role check and outcome are audited by the
 * registry itself; these routes only parse, authenticate and answer.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { RampartError } from '../core/index.js';
import {
  listPromotionRequests,
  listRegisteredModels,
  modelBom,
  quarantineModelVersion,
  registerModel,
  requestPromotion,
  reviewPromotion,
  setModelAlias,
  showModel,
  verifyModelVersion,
  type RegistryContext,
} from '../registry/index.js';
import { authenticate, authorize, type AuthEnv, type ServerIdentity } from './identity.js';

/** Largest model file accepted by `POST /v1/models/{name}/versions`. */
export const MAX_UPLOAD_BYTES = 8 * 1024 ** 3;
/** Largest JSON body of the other registry routes (evidence is sent inline, base64). */
export const MAX_REGISTRY_JSON_BYTES = 32 * 1024 * 1024;

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/** Mounts /v1/models and /v1/promotions. */
export function mountRegistryRoutes(
  app: Hono,
  options: { readonly registry: RegistryContext; readonly identity: ServerIdentity },
): void {
  const { registry } = options;
  const api = app as unknown as Hono<AuthEnv>;
  const json = bodyLimit({
    maxSize: MAX_REGISTRY_JSON_BYTES,
    onError: () => {
      throw overLimit(MAX_REGISTRY_JSON_BYTES);
    },
  });
  api.use('/v1/models/*', authenticate(options.identity));
  api.use('/v1/models', authenticate(options.identity));
  api.use('/v1/promotions/*', authenticate(options.identity));
  api.use('/v1/promotions', authenticate(options.identity));

  api.get('/v1/models', async (c) => {
    const { models } = await listRegisteredModels(registry, c.get('principal'));
    return c.json({ models });
  });
  api.get('/v1/models/:name', async (c) => {
    const view = await showModel(registry, c.get('principal'), c.req.param('name'));
    return c.json(view);
  });
  api.post('/v1/models/:name/versions', async (c) => {
    // Only someone who may register gets to write an upload to disk.
    await authorize(options.identity, c, 'model.register', {
      type: 'model',
      id: c.req.param('name').slice(0, 256),
    });
    const upload = await receiveUpload(c, registry.staging);
    try {
      const done = await registerModel(registry, c.get('principal'), {
        path: upload.file,
        name: c.req.param('name'),
        datasets: c.req.queries('dataset') ?? [],
        runId: c.req.query('run'),
      });
      return c.json(
        {
          name: done.name,
          version: done.version,
          digest: done.digest,
          files: done.files,
          size: done.size,
          scan: done.scanDigest,
        },
        201,
      );
    } finally {
      await rm(upload.dir, { recursive: true, force: true });
    }
  });
  api.get('/v1/models/:name/versions/:ref', async (c) => {
    const view = await showModel(registry, c.get('principal'), ref(c));
    return c.json(view);
  });
  api.post('/v1/models/:name/versions/:ref/verify', async (c) => {
    const done = await verifyModelVersion(registry, c.get('principal'), ref(c));
    return c.json({ verified: true, ...done });
  });
  api.get('/v1/models/:name/versions/:ref/bom', async (c) => {
    const { bom } = await modelBom(registry, c.get('principal'), ref(c));
    return c.json(bom, 200, { 'Content-Type': 'application/vnd.cyclonedx+json; version=1.6' });
  });
  api.post('/v1/models/:name/versions/:ref/promotions', json, async (c) => {
    const body = await objectBody(c);
    const evidence = evidenceOf(body.evidence);
    const done = await requestPromotion(registry, c.get('principal'), {
      ref: ref(c),
      alias: stringField(body, 'alias'),
      evidence,
    });
    return c.json(done, 201);
  });
  api.post('/v1/models/:name/versions/:ref/quarantine', json, async (c) => {
    const body = await objectBody(c);
    const done = await quarantineModelVersion(registry, c.get('principal'), {
      ref: ref(c),
      reason: stringField(body, 'reason'),
    });
    return c.json(done);
  });
  api.put('/v1/models/:name/aliases/:alias', json, async (c) => {
    const body = await objectBody(c);
    const version = body.version;
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
      throw badBody('version must be a positive whole number');
    }
    const done = await setModelAlias(registry, c.get('principal'), {
      ref: `${c.req.param('name')}@${version}`,
      alias: c.req.param('alias'),
    });
    return c.json(done);
  });
  api.get('/v1/promotions', async (c) => {
    const { requests } = await listPromotionRequests(
      registry,
      c.get('principal'),
      c.req.query('model'),
    );
    return c.json({ requests });
  });
  for (const decision of ['approve', 'reject'] as const) {
    api.post(`/v1/promotions/:id/${decision}`, json, async (c) => {
      const body = await objectBody(c, true);
      const comment = body.comment;
      if (comment !== undefined && typeof comment !== 'string')
        throw badBody('comment must be a string');
      const done = await reviewPromotion(registry, c.get('principal'), {
        requestId: c.req.param('id'),
        decision,
        comment,
      });
      return c.json(done);
    });
  }
}

function ref(c: Context): string {
  return `${c.req.param('name') ?? ''}@${c.req.param('ref') ?? ''}`;
}

// Streams the body to a private file, refusing more than MAX_UPLOAD_BYTES.
async function receiveUpload(c: Context, staging: string): Promise<{ dir: string; file: string }> {
  const filename = c.req.query('filename') ?? '';
  if (!FILE_NAME.test(filename)) {
    throw badBody('give the model file name as ?filename=<name> (letters, digits, ".", "_", "-")');
  }
  const body = c.req.raw.body;
  if (body === null)
    throw badBody('the request has no body: send the model file as application/octet-stream');
  await mkdir(staging, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(path.join(staging, 'upload-'));
  const file = path.join(dir, filename);
  let received = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      done(received > MAX_UPLOAD_BYTES ? overLimit(MAX_UPLOAD_BYTES) : null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(body as WebReadableStream<Uint8Array>),
      limit,
      createWriteStream(file, { mode: 0o600 }),
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error instanceof RampartError ? error : badBody('the upload was interrupted');
  }
  return { dir, file };
}

async function objectBody(c: Context, emptyAllowed = false): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '' && emptyAllowed) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badBody('the request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw badBody('the request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '')
    throw badBody(`${name} must be a non-empty string`);
  return value;
}

function evidenceOf(value: unknown): { name: string; bytes: Buffer }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 64)
    throw badBody('evidence must be a list of at most 64 {name, content} objects');
  return value.map((item: unknown, index) => {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<
      string,
      unknown
    >;
    if (
      typeof entry.name !== 'string' ||
      !FILE_NAME.test(entry.name) ||
      typeof entry.content !== 'string'
    ) {
      throw badBody(`evidence[${index}] must be {name: <file name>, content: <base64>}`);
    }
    return { name: entry.name, bytes: Buffer.from(entry.content, 'base64') };
  });
}

function badBody(message: string): RampartError {
  return new RampartError('RAMPART_USAGE', message, {
    hint: 'See docs/registry.md for the HTTP API.',
  });
}

function overLimit(limit: number): RampartError {
  return new RampartError(
    'RAMPART_LIMIT_EXCEEDED',
    `the request body is over the limit of ${limit} bytes`,
    {
      details: { limit },
    },
  );
}
