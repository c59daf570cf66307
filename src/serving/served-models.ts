/**
 * Which model versions the gateway serves: for each configured model, the version its alias
 * points at — only when the registry approved that version for the alias, it is not
 * quarantined and its blobs and signature verify at load — plus, during a canary deployment,
 * the canary version. A version that fails to load is refused and the previous one keeps
 * serving; a quarantined version stops serving at the next refresh.
 */
import type { Config } from '../config/index.js';
import { httpRequest, jsonBody, RampartError, type Logger } from '../core/index.js';
import type { AccessControl } from '../identity/index.js';
import {
  aliasesOf,
  findModelVersion,
  integrityFailures,
  quarantineOf,
  wasApprovedFor,
  type ModelVersionRecord,
  type RegistryContext,
} from '../registry/index.js';
import { pick } from './canary/pick.js';
import type { RouteResult, Router, Upstream } from './gateway/types.js';
import type { InferRequest, InferResponse, ModelMetadata } from './oip/types.js';

/** Where model files are loaded to be served (the embedded ONNX model server). */
export interface ModelHost {
  readonly url: string;
  readonly socketPath: string | null;
  load(name: string, version: string, onnx: Uint8Array): Promise<ModelMetadata>;
  unload(name: string, version: string): Promise<void>;
  /** Runs inference in this process (no HTTP hop). */
  infer(name: string, version: string, request: InferRequest): Promise<InferResponse>;
}

/** The canary controller, as far as routing needs it. */
export interface CanaryView {
  weight(model: string): { stable: number; canary: number; weight: number } | null;
  record(
    model: string,
    version: number,
    outcome: { status: number; latencyMs: number; upstreamFailed: boolean },
  ): void;
}

/** What {@link ServedModels} works with. */
export interface ServedModelsOptions {
  readonly registry: RegistryContext;
  readonly models: Config['gateway']['models'];
  readonly host: ModelHost;
  readonly canary: CanaryView | null;
  readonly access: Pick<AccessControl, 'record'>;
  readonly logger: Logger;
}

/**
 * How long a refused version is left alone before it is tried again (an external upstream may
 * come back; a tampered blob stays refused, and each retry is audited again).
 */
const RETRY_REFUSED_MS = 60_000;

/** Largest model file loaded into the embedded server. */
const MAX_MODEL_BYTES = 2 * 1024 ** 3;

interface Loaded {
  readonly version: number;
  readonly metadata: ModelMetadata;
  readonly upstream: Upstream;
}

interface Served {
  readonly config: Config['gateway']['models'][number];
  readonly versions: Map<number, Loaded>;
  /** The version the alias serves now (null: nothing servable yet). */
  stable: number | null;
  /** Why nothing is served, when stable is null. */
  reason: string;
}

const GATEWAY_ACTOR = { subject: 'rampart-gateway', type: 'service' } as const;

/** The registry-backed router of the gateway. */
export class ServedModels implements Router {
  readonly #options: ServedModelsOptions;
  readonly #served = new Map<string, Served>();
  /** Versions refused at load, by `name@version`, retried only after RETRY_REFUSED_MS. */
  readonly #refused = new Map<string, { reason: string; at: number }>();

  constructor(options: ServedModelsOptions) {
    this.#options = options;
    for (const config of options.models) {
      this.#served.set(config.name, {
        config,
        versions: new Map(),
        stable: null,
        reason: 'not loaded yet',
      });
    }
  }

  /** Re-reads aliases, quarantines and deployments; loads, swaps and unloads versions. */
  async refresh(): Promise<void> {
    for (const served of this.#served.values()) await this.#refreshOne(served);
  }

  route(model: string, version: string | undefined, caller: string): RouteResult {
    const served = this.#served.get(model);
    if (served === undefined) return { kind: 'unknown-model' };
    if (version !== undefined) {
      const loaded = /^[1-9][0-9]{0,8}$/.test(version)
        ? served.versions.get(Number(version))
        : undefined;
      return loaded === undefined ? { kind: 'unknown-version' } : ok(loaded);
    }
    if (served.stable === null) return { kind: 'unavailable', reason: served.reason };
    const deployment = this.#options.canary?.weight(model) ?? null;
    const canary = deployment === null ? undefined : served.versions.get(deployment.canary);
    if (
      deployment !== null &&
      canary !== undefined &&
      pick(deployment.weight, caller) === 'canary'
    ) {
      return ok(canary);
    }
    const stable =
      served.versions.get(deployment?.stable ?? served.stable) ??
      served.versions.get(served.stable);
    return stable === undefined ? { kind: 'unavailable', reason: served.reason } : ok(stable);
  }

  record(
    model: string,
    version: string,
    outcome: { status: number; latencyMs: number; upstreamFailed: boolean },
  ): void {
    this.#options.canary?.record(model, Number(version), outcome);
  }

  /** What is served now, for status pages and logs. */
  status(): { name: string; stable: number | null; loaded: number[]; reason: string | null }[] {
    return [...this.#served.values()].map((s) => ({
      name: s.config.name,
      stable: s.stable,
      loaded: [...s.versions.keys()].sort((a, b) => a - b),
      reason: s.stable === null ? s.reason : null,
    }));
  }

  async #refreshOne(served: Served): Promise<void> {
    const { registry } = this.#options;
    const model = served.config.model ?? served.config.name;
    const alias = served.config.alias;
    const target = (await aliasesOf(registry.store, model))[alias];
    const deployment = this.#options.canary?.weight(served.config.name) ?? null;
    const wanted = new Set<number>();
    if (target !== undefined) wanted.add(target);
    if (deployment !== null) wanted.add(deployment.stable).add(deployment.canary);
    for (const version of wanted) {
      if (!served.versions.has(version)) await this.#tryLoad(served, model, version);
    }
    // A quarantined version stops serving at once, whatever points at it.
    for (const version of [...served.versions.keys()]) {
      const quarantined = (await quarantineOf(registry.store, model, version)) !== null;
      const keep = !quarantined && (wanted.has(version) || version === served.stable);
      if (!keep)
        await this.#unload(served, version, quarantined ? 'quarantined' : 'no longer served');
    }
    if (target !== undefined && served.versions.has(target)) served.stable = target;
    else if (served.stable !== null && !served.versions.has(served.stable)) served.stable = null;
    if (served.stable === null) {
      served.reason =
        target === undefined
          ? `${model} has no ${alias} alias`
          : (this.#refused.get(`${model}@${target}`)?.reason ?? 'loading');
    }
  }

  async #tryLoad(served: Served, model: string, version: number): Promise<void> {
    const label = `${model}@${version}`;
    const refusal = this.#refused.get(label);
    if (refusal !== undefined && Date.now() - refusal.at < RETRY_REFUSED_MS) return;
    try {
      const loaded = await this.#load(served, model, version);
      served.versions.set(version, loaded);
      this.#refused.delete(label);
      await this.#audit('gateway.load', label, {
        allowed: true,
        reason: `serving ${label} as ${served.config.name}`,
      });
      this.#options.logger.info('model version loaded', {
        model: served.config.name,
        version: label,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#refused.set(label, { reason, at: Date.now() });
      await this.#audit('gateway.load', label, { allowed: false, reason });
      this.#options.logger.warn('model version refused', {
        model: served.config.name,
        version: label,
        reason,
      });
    }
  }

  async #load(served: Served, model: string, version: number): Promise<Loaded> {
    const { registry, host } = this.#options;
    const record = await findModelVersion(registry.store, model, version);
    if (record === undefined) throw refused(`${model}@${version} is not registered`);
    if ((await quarantineOf(registry.store, model, version)) !== null)
      throw refused(`${model}@${version} is quarantined`);
    if (
      !(await wasApprovedFor(registry.store, { name: model, version, alias: served.config.alias }))
    ) {
      throw refused(`${model}@${version} was never approved for ${served.config.alias}`);
    }
    const failures = await integrityFailures(registry, record);
    if (failures.length > 0)
      throw refused(`${model}@${version} does not verify: ${failures.join('; ')}`);
    const name = served.config.name;
    if (served.config.upstream !== null)
      return externalUpstream(served.config.upstream, name, version);
    const metadata = await host.load(
      name,
      String(version),
      await registry.blobs.get(onnxFile(record), { maxBytes: MAX_MODEL_BYTES }),
    );
    const base = `/v2/models/${encodeURIComponent(name)}/versions/${version}`;
    return {
      version,
      metadata,
      upstream: {
        key: host.socketPath ?? host.url,
        origin: host.socketPath === null ? host.url : 'http://localhost',
        socketPath: host.socketPath,
        path: (verb) => (verb === 'infer' ? `${base}/infer` : base),
        local: (request) => host.infer(name, String(version), request),
      },
    };
  }

  async #unload(served: Served, version: number, why: string): Promise<void> {
    served.versions.delete(version);
    await this.#options.host.unload(served.config.name, String(version));
    this.#options.logger.info('model version unloaded', {
      model: served.config.name,
      version,
      why,
    });
  }

  async #audit(
    action: string,
    id: string,
    decision: { allowed: boolean; reason: string },
  ): Promise<void> {
    await this.#options.access.record(
      GATEWAY_ACTOR,
      action,
      { type: 'model-version', id },
      decision,
    );
  }
}

/**
 * A version served by another OIP v2 server (Triton, KServe, MLServer): the registry checks still
 * apply; the metadata comes from that server.
 */
async function externalUpstream(base: string, name: string, version: number): Promise<Loaded> {
  const url = new URL(base);
  const prefix = `${url.pathname.replace(/\/+$/, '')}/v2/models/${encodeURIComponent(name)}/versions/${version}`;
  const answer = await httpRequest(new URL(prefix, url.origin), {
    timeoutMs: 10_000,
    maxBytes: 1024 * 1024,
    remote: { name: `upstream ${url.origin}` },
  });
  const metadata = jsonBody(answer);
  if (answer.status !== 200 || !isMetadata(metadata)) {
    throw refused(
      `upstream ${url.origin} has no usable metadata for ${name} version ${version} (HTTP ${answer.status})`,
    );
  }
  return {
    version,
    metadata,
    upstream: {
      key: url.origin,
      origin: url.origin,
      socketPath: null,
      path: (verb) => (verb === 'infer' ? `${prefix}/infer` : prefix),
    },
  };
}

function isMetadata(value: unknown): value is ModelMetadata {
  const v = value as Partial<ModelMetadata> | null;
  return typeof v === 'object' && v !== null && Array.isArray(v.inputs) && Array.isArray(v.outputs);
}

// The served file: the version's only file, or its one .onnx file.
function onnxFile(record: ModelVersionRecord): string {
  const files = record.manifest.files;
  const onnx = files.length === 1 ? files : files.filter((f) => f.path.endsWith('.onnx'));
  if (onnx.length !== 1 || onnx[0] === undefined) {
    throw refused(
      `${record.name}@${record.version} has ${onnx.length} ONNX files; the embedded server serves exactly one`,
    );
  }
  return onnx[0].digest;
}

function ok(loaded: Loaded): RouteResult {
  return {
    kind: 'ok',
    version: String(loaded.version),
    metadata: loaded.metadata,
    upstream: loaded.upstream,
  };
}

function refused(message: string): RampartError {
  return new RampartError('RAMPART_MODEL_REFUSED', message);
}
