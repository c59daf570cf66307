/**
 * The OIP v2 REST surface of the embedded model server on node:http: routing, bounded body
 * reading, JSON depth check, and the one place where error codes become HTTP statuses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RampartError, type Logger } from '../../core/index.js';
import type { CodecLimits } from '../oip/codec.js';
import { infer } from './infer.js';
import type { ModelTable } from './models.js';

/** Request limits of the model server. */
export interface HttpLimits {
  readonly bodyLimitBytes: number;
  readonly maxJsonDepth: number;
  readonly codec: CodecLimits;
}

// /v2/models/{name}[/versions/{v}][/ready|/infer]; names are single safe segments, so encoded
// slashes, dot segments and anything else simply do not match.
const MODEL_ROUTE =
  /^\/v2\/models\/([A-Za-z0-9][A-Za-z0-9._-]{0,127})(?:\/versions\/([A-Za-z0-9][A-Za-z0-9._-]{0,127}))?(\/ready|\/infer)?$/;

function statusOf(error: RampartError): number {
  if (error.code === 'RAMPART_MODEL_SERVER_BODY_TOO_LARGE') return 413;
  if (error.kind === 'not_found') return 404;
  if (error.kind === 'input' || error.kind === 'usage') return 400;
  return 500;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function tooLarge(limit: number): RampartError {
  return new RampartError(
    'RAMPART_MODEL_SERVER_BODY_TOO_LARGE',
    `the request body is over ${limit} bytes`,
  );
}

/** Reads the body, refusing more than `limit` bytes before buffering them. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  // Listeners rather than for-await: leaving a for-await destroys the request and with it
  // the socket, so the 413 answer would never reach the client.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.pause();
      reject(tooLarge(limit));
    };
    req.on('data', onData);
    req.once('end', () => {
      resolve(Buffer.concat(chunks, size));
    });
    req.once('error', reject);
    // A client that goes away mid-body (or is cut off by close) ends the wait; after 'end'
    // this is a no-op.
    req.once('close', () => {
      reject(
        new RampartError(
          'RAMPART_MODEL_SERVER_REQUEST_INVALID',
          'the connection closed before the body ended',
        ),
      );
    });
  });
}

/** Fails when arrays/objects nest deeper than `max`; one pass over the bytes, strings skipped. */
function checkDepth(bytes: Buffer, max: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === 0x5c) i++;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > max) {
        throw new RampartError(
          'RAMPART_MODEL_SERVER_REQUEST_INVALID',
          `the body nests deeper than ${max} levels`,
        );
      }
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
}

function parseJson(bytes: Buffer, maxDepth: number): unknown {
  checkDepth(bytes, maxDepth);
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new RampartError('RAMPART_MODEL_SERVER_REQUEST_INVALID', 'the body is not valid JSON');
  }
}

function unknownModel(name: string, version: string | undefined): RampartError {
  const what = version === undefined ? `model '${name}'` : `version '${version}' of '${name}'`;
  return new RampartError('RAMPART_MODEL_SERVER_MODEL_UNKNOWN', `${what} is not loaded`, {
    details: { model: name, ...(version === undefined ? {} : { version }) },
  });
}

/** Handles one request; every failure is answered as `{"error": ...}`. */
export async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  models: ModelTable,
  limits: HttpLimits,
  logger: Logger,
): Promise<void> {
  try {
    await route(req, res, models, limits);
  } catch (error) {
    const coded =
      error instanceof RampartError
        ? error
        : new RampartError('RAMPART_INTERNAL', 'the model server failed', { cause: error });
    const status = statusOf(coded);
    if (status >= 500) {
      logger.error('model server request failed', { code: coded.code, reason: coded.message });
    }
    // After a refused body the rest of it is unread; closing the connection drops it.
    if (status === 413) res.setHeader('connection', 'close');
    if (!res.headersSent) send(res, status, { error: coded.message });
  }
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  models: ModelTable,
  limits: HttpLimits,
): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  const method = req.method ?? 'GET';
  if (path === '/v2/health/live' || path === '/v2/health/ready') {
    if (method !== 'GET') {
      notAllowed(res, 'GET');
      return;
    }
    send(res, 200, path.endsWith('live') ? { live: true } : { ready: true });
    return;
  }
  const match = MODEL_ROUTE.exec(path);
  if (match === null) {
    send(res, 404, { error: 'no such route' });
    return;
  }
  const [, name = '', version, action] = match;
  const wanted = action === '/infer' ? 'POST' : 'GET';
  if (method !== wanted) {
    notAllowed(res, wanted);
    return;
  }
  const model = models.find(name, version);
  if (model === undefined) throw unknownModel(name, version);
  if (action === '/ready') {
    send(res, 200, { name, ready: true });
    return;
  }
  if (action === undefined) {
    send(res, 200, models.metadata(model));
    return;
  }
  if (req.headers['inference-header-content-length'] !== undefined) {
    throw new RampartError(
      'RAMPART_MODEL_SERVER_REQUEST_INVALID',
      'the binary tensor extension is not supported; send JSON tensors',
    );
  }
  // Held from before the body is read, so an unload meanwhile cannot free the session.
  models.acquire(model);
  try {
    const body = parseJson(await readBody(req, limits.bodyLimitBytes), limits.maxJsonDepth);
    send(res, 200, await infer(model, body, limits.codec));
  } finally {
    models.releaseUse(model);
  }
}

function notAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  send(res, 405, { error: `method not allowed; use ${allow}` });
}
