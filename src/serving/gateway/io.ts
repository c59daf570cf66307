import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request body read within its limit, or why not. */
export type BodyResult =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly status: 400 | 413; readonly error: string };

/**
 * Reads a request body, counting bytes as they arrive: a chunked body that passes `limit` is
 * refused at that point, not after it has been buffered whole.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish({ ok: false, status: 413, error: `the body is larger than ${limit} bytes` });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      finish({ ok: true, bytes: Buffer.concat(chunks, size) });
    };
    const onError = (): void => {
      finish({ ok: false, status: 400, error: 'the body was cut short' });
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}

function isSmall(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (
    length !== undefined &&
    !('transfer-encoding' in req.headers) &&
    /^\d{1,6}$/.test(length) &&
    Number(length) <= DRAINABLE_BYTES
  );
}

/** True while the request may still have body bytes the gateway has not read. */
export function hasUnreadBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  const announced = (length !== undefined && length !== '0') || 'transfer-encoding' in req.headers;
  return announced && !req.complete;
}

/** Sends a JSON answer. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Unread bodies up to this size are discarded after a refusal so the connection stays open. */
const DRAINABLE_BYTES = 16 * 1024;

/**
 * Sends an OIP error `{"error": message}`. A refused request's body is never parsed: a small
 * declared body is discarded after the answer (the connection stays open, so a client whose
 * key is wrong costs no new connection per request); anything larger or of unknown length
 * closes the connection instead.
 */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  const unread = hasUnreadBody(req);
  if (unread && isSmall(req)) req.resume();
  const close = unread && !isSmall(req) ? { connection: 'close' } : {};
  sendJson(res, status, JSON.stringify({ error: message }), { ...headers, ...close });
  if ('connection' in close) {
    res.once('finish', () => {
      req.socket.destroySoon();
    });
  }
}
