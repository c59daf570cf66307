/**
 * The loaded models of the embedded server: one onnxruntime session per name and version,
 * the OIP metadata derived from it, and release of sessions once no request still uses them.
 */
import { InferenceSession } from 'onnxruntime-node';
import { RampartError, type Logger } from '../../core/index.js';
import { datatypeOfOrt } from '../oip/codec.js';
import type { ModelMetadata, TensorMetadata } from '../oip/types.js';

/** The platform reported in model metadata. */
export const PLATFORM = 'onnxruntime';

// Names and versions appear in URL paths; this keeps them to one safe segment.
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** One loaded model version. */
export interface LoadedModel {
  readonly name: string;
  readonly version: string;
  readonly session: InferenceSession;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
  /** Load order; the highest is what a request without a version gets. */
  readonly sequence: number;
  inFlight: number;
  retired: boolean;
}

function tensorMetadata(
  list: readonly InferenceSession.ValueMetadata[],
  what: string,
): TensorMetadata[] {
  return list.map((value) => {
    const datatype = value.isTensor ? datatypeOfOrt(value.type) : undefined;
    if (!value.isTensor || datatype === undefined) {
      throw new RampartError(
        'RAMPART_MODEL_SERVER_LOAD_FAILED',
        `${what} '${value.name}' is not a tensor of an OIP JSON datatype`,
        { details: { tensor: value.name } },
      );
    }
    // Symbolic (named) and unknown dimensions are variable: OIP writes them as -1.
    const shape = value.shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : -1));
    return { name: value.name, datatype, shape };
  });
}

/** Loaded models by name and version. */
export class ModelTable {
  readonly #models = new Map<string, Map<string, LoadedModel>>();
  readonly #logger: Logger;
  readonly #sessionOptions: InferenceSession.SessionOptions;
  readonly #releasing = new Set<Promise<void>>();
  #sequence = 0;

  constructor(logger: Logger, intraOpNumThreads: number) {
    this.#logger = logger;
    // One intra-op thread by default: on a 2-core box a wider pool fights the event loop and
    // the gateway for cores, and latency becomes unpredictable.
    this.#sessionOptions = {
      intraOpNumThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    };
  }

  /** Creates a session for `onnx` and puts it in place of any same name and version. */
  async load(name: string, version: string, onnx: Uint8Array): Promise<LoadedModel> {
    for (const [what, value] of [
      ['name', name],
      ['version', version],
    ] as const) {
      if (!SEGMENT.test(value)) {
        throw new RampartError(
          'RAMPART_MODEL_NAME_INVALID',
          `model ${what} '${value}' is not valid`,
          {
            hint: 'Use 1-128 characters of [A-Za-z0-9._-], starting with a letter or digit.',
          },
        );
      }
    }
    let session: InferenceSession;
    try {
      session = await InferenceSession.create(onnx, this.#sessionOptions);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RampartError(
        'RAMPART_MODEL_SERVER_LOAD_FAILED',
        `${name}@${version}: onnxruntime refused the model (${reason})`,
        { cause: error, details: { name, version } },
      );
    }
    let model: LoadedModel;
    try {
      model = {
        name,
        version,
        session,
        inputs: tensorMetadata(session.inputMetadata, 'input'),
        outputs: tensorMetadata(session.outputMetadata, 'output'),
        sequence: ++this.#sequence,
        inFlight: 0,
        retired: false,
      };
    } catch (error) {
      await session.release();
      throw error;
    }
    const versions = this.#models.get(name) ?? new Map<string, LoadedModel>();
    const previous = versions.get(version);
    versions.set(version, model);
    this.#models.set(name, versions);
    if (previous !== undefined) this.#retire(previous);
    this.#logger.info('model loaded', { model: name, version, bytes: onnx.byteLength });
    return model;
  }

  /** Removes a version; its session is released once its last request finishes. */
  unload(name: string, version: string): boolean {
    const versions = this.#models.get(name);
    const model = versions?.get(version);
    if (versions === undefined || model === undefined) return false;
    versions.delete(version);
    if (versions.size === 0) this.#models.delete(name);
    this.#retire(model);
    this.#logger.info('model unloaded', { model: name, version });
    return true;
  }

  /** A version, or the most recently loaded one when `version` is undefined. */
  find(name: string, version?: string): LoadedModel | undefined {
    const versions = this.#models.get(name);
    if (versions === undefined) return undefined;
    if (version !== undefined) return versions.get(version);
    let latest: LoadedModel | undefined;
    for (const model of versions.values()) {
      if (latest === undefined || model.sequence > latest.sequence) latest = model;
    }
    return latest;
  }

  /** OIP metadata for a loaded model; `versions` lists every loaded version of the name. */
  metadata(model: LoadedModel): ModelMetadata {
    const versions = [...(this.#models.get(model.name)?.values() ?? [])]
      .sort((a, b) => a.sequence - b.sequence)
      .map((m) => m.version);
    return {
      name: model.name,
      versions,
      platform: PLATFORM,
      inputs: model.inputs,
      outputs: model.outputs,
    };
  }

  /** Marks a request as using `model`, so a concurrent unload does not free its session. */
  acquire(model: LoadedModel): void {
    model.inFlight++;
  }

  /** Ends a request started with acquire. */
  releaseUse(model: LoadedModel): void {
    model.inFlight--;
    if (model.retired && model.inFlight === 0) this.#free(model);
  }

  /** Resolves once every session already retired and unused has been released. */
  async settled(): Promise<void> {
    await Promise.all(this.#releasing);
  }

  /** Unloads everything and waits for the sessions no request still uses to be released. */
  async clear(): Promise<void> {
    for (const versions of this.#models.values()) {
      for (const model of versions.values()) this.#retire(model);
    }
    this.#models.clear();
    await this.settled();
  }

  #retire(model: LoadedModel): void {
    model.retired = true;
    if (model.inFlight === 0) this.#free(model);
  }

  #free(model: LoadedModel): void {
    const done = model.session
      .release()
      .catch((error: unknown) => {
        this.#logger.warn('releasing an onnxruntime session failed', {
          model: model.name,
          version: model.version,
          reason: error instanceof Error ? error.message : String(error),
        });
      })
      .finally(() => this.#releasing.delete(done));
    this.#releasing.add(done);
  }
}
