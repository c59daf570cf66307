/** SLSA Provenance v1 for a training run (signing-provenance.md §5.2). */
import {
  digestHex,
  makeStatement,
  type Digest,
  type Statement,
  type Subject,
} from '../core/index.js';
import type { Isolation } from './isolation.js';
import type { GitState } from './process.js';

/** The predicate type of SLSA Provenance v1. */
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
/** How to read our buildDefinition: a command wrapped by `rampart train run`. */
export const TRAIN_BUILD_TYPE = 'https://rampart.dev/train/v1';
/** The builder id of runs on the local machine. */
export const LOCAL_BUILDER_ID = 'https://rampart.dev/builder/local';

/** A file named and digested (an output, a lockfile, a log). */
export interface NamedDigest {
  readonly path: string;
  readonly digest: Digest;
}

/** Everything a training run's provenance says. */
export interface RunFacts {
  readonly id: string;
  readonly name: string;
  readonly status: 'succeeded' | 'failed';
  readonly exitCode: number | null;
  readonly command: readonly string[];
  /** The working folder the command ran in (runs recorded before it was kept have none). */
  readonly cwd?: string | undefined;
  readonly parameters: Readonly<Record<string, string>>;
  readonly seed?: number | undefined;
  /** Dataset versions as `name@N` with their (verified) digest. */
  readonly datasets: readonly { readonly label: string; readonly digest: Digest }[];
  readonly lockfiles: readonly NamedDigest[];
  /** A pre-trained model the run starts from: its signed root digest and the verifying key's id. */
  readonly baseModel?: (NamedDigest & { readonly keyId: string }) | undefined;
  /** A parameters file (`--params`); its values are in `parameters` too. */
  readonly paramsFile?: NamedDigest | undefined;
  readonly git?: GitState | undefined;
  readonly principal: { readonly subject: string; readonly type: string };
  readonly isolation: Isolation;
  readonly startedOn: string;
  readonly finishedOn: string;
  readonly logs: { readonly stdout: Digest; readonly stderr: Digest };
  readonly outputs: readonly NamedDigest[];
  /** Why a run that exited 0 still failed (a missing output). */
  readonly failure?: string | undefined;
}

const hex = (digest: Digest) => ({ sha256: digestHex(digest) });

/**
 * The in-toto statement of a run. Its subjects are the outputs; a run without outputs (one
 * that failed) has its logs as subjects, since a statement needs at least one.
 * @throws RAMPART_DSSE_MALFORMED on a malformed digest.
 */
export function runStatement(facts: RunFacts): Statement {
  const logs: Subject[] = [
    { name: 'stdout.log', digest: facts.logs.stdout },
    { name: 'stderr.log', digest: facts.logs.stderr },
  ];
  const subjects =
    facts.outputs.length > 0
      ? facts.outputs.map((o) => ({ name: o.path, digest: o.digest }))
      : logs;
  const resolved: Record<string, unknown>[] = [
    ...facts.datasets.map((d) => ({ name: `dataset:${d.label}`, digest: hex(d.digest) })),
    ...facts.lockfiles.map((l) => ({ name: `lockfile:${l.path}`, digest: hex(l.digest) })),
  ];
  if (facts.baseModel !== undefined) {
    resolved.push({
      name: `base-model:${facts.baseModel.path}`,
      digest: hex(facts.baseModel.digest),
      annotations: { signatureVerifiedWithKey: facts.baseModel.keyId },
    });
  }
  if (facts.paramsFile !== undefined) {
    resolved.push({
      name: `params:${facts.paramsFile.path}`,
      digest: hex(facts.paramsFile.digest),
    });
  }
  if (facts.git !== undefined) {
    resolved.push({
      name: 'code',
      digest: { gitCommit: facts.git.commit },
      annotations: { dirty: facts.git.dirty },
    });
  }
  return makeStatement({
    subjects,
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: TRAIN_BUILD_TYPE,
        externalParameters: {
          name: facts.name,
          command: facts.command,
          ...(facts.cwd === undefined ? {} : { workingDirectory: facts.cwd }),
          parameters: facts.parameters,
          ...(facts.seed === undefined ? {} : { seed: facts.seed }),
        },
        resolvedDependencies: resolved,
      },
      runDetails: {
        builder: { id: LOCAL_BUILDER_ID },
        metadata: {
          invocationId: facts.id,
          startedOn: facts.startedOn,
          finishedOn: facts.finishedOn,
        },
        byproducts: logs.map((l) => ({ name: l.name, digest: hex(l.digest) })),
        principal: facts.principal,
        isolation: facts.isolation,
        result: {
          status: facts.status,
          exitCode: facts.exitCode,
          ...(facts.failure === undefined ? {} : { failure: facts.failure }),
        },
      },
    },
  });
}
