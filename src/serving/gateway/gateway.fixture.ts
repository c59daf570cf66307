/**
 * Test fixture for the gateway suites: a small real OIP upstream on node:http that counts what
 * reaches it, a router over it, fixed-token authentication, and an HTTP client that can send
 * what well-behaved clients would not.
 */
import { once } from 'node:events';
import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect } from 'node:net';
import { configSchema, type Config } from '../../config/index.js';
import { silentLogger, type Logger } from '../../core/index.js';
import type { PrincipalRecord } from '../../identity/index.js';
import type { ModelMetadata } from '../oip/types.js';
import { startGateway } from './server.js';
import type { GatewayOptions, Router, RouteResult, RunningGateway } from './types.js';

/** The model every fixture serves as `m` version `1`. */
export const METADATA: ModelMetadata = {
  name: 'm',
  platform: 'onnxruntime_onnx',
  versions: ['1'],
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }],
};

/** A valid infer body with `rows` rows. */
export function inferBody(rows = 1, id?: string): string {
  const data = Array.from({ length: rows * 2 }, (_, i) => i / 10);
  return JSON.stringify({
    ...(id === undefined ? {} : { id }),
    inputs: [{ name: 'x', datatype: 'FP32', shape: [rows, 2], data }],
  });
}

/** How the fake model server answers. */
export type UpstreamMode = 'ok' | 'slow' | 'not-json' | 'wrong-output' | 'wrong-shape' | 'error';

/** A real OIP upstream that records every request it receives. */
export interface FakeUpstream {
  readonly origin: string;
  readonly received: string[];
  mode: UpstreamMode;
  delayMs: number;
  close(): Promise<void>;
}

/** Starts the fake model server on 127.0.0.1. */
export async function startUpstream(): Promise<FakeUpstream> {
  const state = { received: [] as string[], mode: 'ok' as UpstreamMode, delayMs: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      state.received.push(body);
      const rows = (JSON.parse(body) as { inputs: { shape: number[] }[] }).inputs[0]?.shape[0] ?? 1;
      const answer = (): void => {
        answerAs(state.mode, rows, res);
      };
      if (state.delayMs > 0) setTimeout(answer, state.delayMs);
      else answer();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    get received() {
      return state.received;
    },
    get mode() {
      return state.mode;
    },
    set mode(mode: UpstreamMode) {
      state.mode = mode;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function answerAs(mode: UpstreamMode, rows: number, res: ServerResponse): void {
  const output = (name: string, shape: number[]): string =>
    JSON.stringify({
      model_name: 'internal-name',
      model_version: '1',
      outputs: [{ name, datatype: 'FP32', shape, data: Array.from({ length: rows }, () => 0.5) }],
    });
  const bodies: Record<UpstreamMode, [number, string]> = {
    ok: [200, output('y', [rows, 1])],
    slow: [200, output('y', [rows, 1])],
    'not-json': [200, '<html>oops</html>'],
    'wrong-output': [200, output('z', [rows, 1])],
    'wrong-shape': [200, output('y', [rows, 2])],
    error: [500, '{"error":"boom"}'],
  };
  const [status, body] = bodies[mode];
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

/** Tokens the fixture accepts, and the principals they name. */
export const TOKENS: Readonly<Record<string, string>> = {
  'tok-alice': 'alice',
  'tok-bob': 'bob',
  'tok-eve': 'eve',
};

/** A principal record for `subject`, as the harness's authenticator answers. */
export function principal(subject: string): PrincipalRecord {
  return {
    subject,
    type: 'service',
    roles: [],
    owner: 'owner',
    createdAt: '2026-01-01T00:00:00Z',
    createdBy: 'test',
    disabledAt: null,
  };
}

/** Everything a gateway test needs, with counters of what happened. */
export interface Harness {
  readonly gateway: RunningGateway;
  readonly upstream: FakeUpstream;
  readonly calls: {
    authenticate: number;
    recorded: { version: string; status: number; upstreamFailed: boolean }[];
  };
  readonly logLines: string[];
  close(): Promise<void>;
}

/** Starts an upstream and a gateway in front of it; `gateway` overrides config.gateway. */
export async function startHarness(
  gateway: Record<string, unknown> = {},
  extra: Partial<GatewayOptions> = {},
): Promise<Harness> {
  const upstream = await startUpstream();
  const calls: Harness['calls'] = { authenticate: 0, recorded: [] };
  const logLines: string[] = [];
  const config: Config['gateway'] = configSchema.parse({ gateway }).gateway;
  const router: Router = {
    route(model, version): RouteResult {
      if (model === 'gone') return { kind: 'unavailable', reason: 'no approved version' };
      if (model !== 'm' && model !== 'down') return { kind: 'unknown-model' };
      if (version !== undefined && version !== '1') return { kind: 'unknown-version' };
      // `down` points at a port nothing listens on (the upstream's, after a close elsewhere).
      const origin = model === 'down' ? 'http://127.0.0.1:9' : upstream.origin;
      return {
        kind: 'ok',
        version: '1',
        metadata: { ...METADATA, name: model },
        upstream: { key: model, origin, socketPath: null, path: () => `/v2/models/m/infer` },
      };
    },
    record(_model, version, outcome) {
      calls.recorded.push({
        version,
        status: outcome.status,
        upstreamFailed: outcome.upstreamFailed,
      });
    },
  };
  const logger: Logger = {
    ...silentLogger,
    info: (msg, fields) => logLines.push(JSON.stringify({ msg, ...fields })),
    error: (msg, fields) => logLines.push(JSON.stringify({ msg, ...fields })),
  };
  const running = await startGateway(
    {
      config,
      logger,
      router,
      authenticate: (credentials) => {
        calls.authenticate++;
        const subject = credentials.bearer === undefined ? undefined : TOKENS[credentials.bearer];
        return Promise.resolve(subject === undefined ? null : principal(subject));
      },
      authorize: (who) => Promise.resolve(who.subject !== 'eve'),
      extraMetrics: () => 'rampart_canary_weight{model="m"} 0\n',
      ...extra,
    },
    '127.0.0.1',
    0,
  );
  return {
    gateway: running,
    upstream,
    calls,
    logLines,
    close: async () => {
      await running.close(100);
      await upstream.close();
    },
  };
}

/** An HTTP answer. */
export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Sends one request (a fresh connection each time); `body` as a string or as chunks. */
export function send(
  port: number,
  method: string,
  path: string,
  options: { headers?: Record<string, string | string[]>; body?: string | string[] } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    const body = options.body;
    if (Array.isArray(body)) for (const chunk of body) req.write(chunk);
    else if (body !== undefined) req.write(body);
    req.end();
  });
}

/** POSTs a JSON body to /v2/models/m/infer as `token`. */
export function infer(
  port: number,
  body: string,
  token = 'tok-alice',
  path = '/v2/models/m/infer',
): Promise<Answer> {
  return send(port, 'POST', path, {
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
}

/**
 * Writes `head` on a raw socket and resolves with everything received once the server closes
 * the connection or `waitMs` passes (whichever is first), leaving any body unsent.
 */
export function rawExchange(
  port: number,
  head: string,
  waitMs = 3000,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, waitMs);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.write(head);
  });
}
