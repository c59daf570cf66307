/**
 * The embedded ONNX model server: onnxruntime-node sessions behind OIP v2 REST, on loopback
 * or a Unix socket only. It does not authenticate; the gateway in front of it does.
 */
import { chmod } from 'node:fs/promises';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { RampartError, systemErrorCode, type Logger } from '../../core/index.js';
import { DEFAULT_CODEC_LIMITS, type CodecLimits } from '../oip/codec.js';
import type { InferResponse, ModelMetadata } from '../oip/types.js';
import { listenAddress, type ListenAddress } from './address.js';
import { handle, type HttpLimits } from './http.js';
import { infer } from './infer.js';
import { ModelTable } from './models.js';

/** How to start the model server; host and port default to 127.0.0.1 on a free port. */
export interface ModelServerOptions {
  readonly host?: string;
  readonly port?: number;
  /** Listen on this Unix socket (mode 0600) instead of TCP. */
  readonly socketPath?: string;
  readonly logger: Logger;
  /** Largest request body (default 1 MiB); more is refused with 413. */
  readonly bodyLimitBytes?: number;
  /** Deepest JSON nesting accepted in a body (default 32). */
  readonly maxJsonDepth?: number;
  /** onnxruntime intra-op threads per session (default 1: predictable latency on 2 cores). */
  readonly intraOpNumThreads?: number;
  /** Bounds on each decoded tensor. */
  readonly codecLimits?: CodecLimits;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;
const DEFAULT_JSON_DEPTH = 32;
const CLOSE_GRACE_MS = 5_000;

/** An embedded OIP v2 model server for ONNX models. */
export class EmbeddedModelServer {
  /** `http://127.0.0.1:<port>`, `http://[::1]:<port>`, or `unix:<path>`. */
  readonly url: string;
  /** The Unix socket path, or null on TCP. */
  readonly socketPath: string | null;
  readonly #server: Server;
  readonly #models: ModelTable;
  readonly #requests: Set<Promise<void>>;
  readonly #codec: CodecLimits;
  #closed: Promise<void> | null = null;

  private constructor(
    server: Server,
    address: ListenAddress,
    models: ModelTable,
    requests: Set<Promise<void>>,
    codec: CodecLimits,
  ) {
    this.#server = server;
    this.#models = models;
    this.#requests = requests;
    this.#codec = codec;
    if (address.kind === 'unix') {
      this.url = `unix:${address.path}`;
      this.socketPath = address.path;
    } else {
      const bound = server.address();
      const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
      this.url = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${port}`;
      this.socketPath = null;
    }
  }

  /**
   * Starts listening.
   * @throws RAMPART_MODEL_SERVER_ADDRESS_REFUSED for a non-loopback address;
   *   RAMPART_PORT_IN_USE when the address cannot be bound.
   */
  static async start(options: ModelServerOptions): Promise<EmbeddedModelServer> {
    const address = listenAddress(options);
    const logger = options.logger.child({ component: 'model-server' });
    const models = new ModelTable(logger, options.intraOpNumThreads ?? 1);
    const limits: HttpLimits = {
      bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
      maxJsonDepth: options.maxJsonDepth ?? DEFAULT_JSON_DEPTH,
      codec: options.codecLimits ?? DEFAULT_CODEC_LIMITS,
    };
    // Requests in progress, so close() can let them finish before sessions are released.
    const requests = new Set<Promise<void>>();
    const server = createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
      const done: Promise<void> = handle(req, res, models, limits, logger).finally(() =>
        requests.delete(done),
      );
      requests.add(done);
    });
    // Only the gateway talks to this server, but a stuck peer must still not pin a socket.
    server.headersTimeout = 10_000;
    server.requestTimeout = 60_000;
    server.keepAliveTimeout = 5_000;
    server.maxHeadersCount = 64;
    await bind(server, address);
    const self = new EmbeddedModelServer(server, address, models, requests, limits.codec);
    logger.info('model server listening', { url: self.url });
    return self;
  }

  /**
   * Loads (or replaces) `name`@`version` from ONNX bytes; requests without a version then get it.
   * @throws RAMPART_MODEL_NAME_INVALID, RAMPART_MODEL_SERVER_LOAD_FAILED.
   */
  async load(name: string, version: string, onnx: Uint8Array): Promise<ModelMetadata> {
    this.#assertOpen();
    const model = await this.#models.load(name, version, onnx);
    return this.#models.metadata(model);
  }

  /**
   * Unloads `name`@`version`; its session is released once running requests finish.
   * @throws RAMPART_MODEL_SERVER_MODEL_UNKNOWN when that version is not loaded.
   */
  async unload(name: string, version: string): Promise<void> {
    if (!this.#models.unload(name, version)) {
      throw new RampartError(
        'RAMPART_MODEL_SERVER_MODEL_UNKNOWN',
        `version '${version}' of '${name}' is not loaded`,
        { details: { model: name, version } },
      );
    }
    await this.#models.settled();
  }

  /**
   * Runs an OIP infer request in this process, with the same checks as `POST .../infer` but
   * without the HTTP hop: what the gateway uses for models it serves from this server.
   * @throws RAMPART_MODEL_SERVER_MODEL_UNKNOWN, RAMPART_MODEL_SERVER_REQUEST_INVALID,
   *   RAMPART_TENSOR_INVALID, RAMPART_MODEL_SERVER_INFERENCE_FAILED, RAMPART_TENSOR_UNREPRESENTABLE
   */
  async infer(name: string, version: string, body: unknown): Promise<InferResponse> {
    this.#assertOpen();
    const model = this.#models.find(name, version);
    if (model === undefined) {
      throw new RampartError(
        'RAMPART_MODEL_SERVER_MODEL_UNKNOWN',
        `version '${version}' of '${name}' is not loaded`,
        {
          details: { model: name, version },
        },
      );
    }
    this.#models.acquire(model);
    try {
      return await infer(model, body, this.#codec);
    } finally {
      this.#models.releaseUse(model);
    }
  }

  /** The OIP metadata of a loaded version, or undefined. */
  metadata(name: string, version: string): ModelMetadata | undefined {
    const model = this.#models.find(name, version);
    return model === undefined ? undefined : this.#models.metadata(model);
  }

  /** Stops listening, lets running requests finish, and releases every session. */
  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
    this.#server.closeIdleConnections();
    // Running requests get a grace period; then their connections are cut (a slow client
    // must not hold shutdown for the whole request timeout).
    const cut = setTimeout(() => {
      this.#server.closeAllConnections();
    }, CLOSE_GRACE_MS);
    await Promise.all(this.#requests);
    clearTimeout(cut);
    this.#server.closeAllConnections();
    await stopped;
    await this.#models.clear();
  }

  #assertOpen(): void {
    if (this.#closed !== null) {
      throw new RampartError('RAMPART_MODEL_SERVER_LOAD_FAILED', 'the model server is closed');
    }
  }
}

async function bind(server: Server, address: ListenAddress): Promise<void> {
  if (address.kind === 'unix') server.listen(address.path);
  else server.listen(address.port, address.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const where = address.kind === 'unix' ? address.path : `${address.host}:${address.port}`;
    throw new RampartError(
      'RAMPART_PORT_IN_USE',
      `the model server cannot listen on ${where} (${systemErrorCode(error) ?? 'error'})`,
      { cause: error, hint: 'Choose another port or socket path, or remove a stale socket file.' },
    );
  }
  // Owner only: anyone who can connect can run models without authentication.
  if (address.kind === 'unix') await chmod(address.path, 0o600);
}
