/**
 * The signed provenance of a dataset version: an in-toto Statement v1 whose subject is the
 * manifest root digest, with our dataset-provenance predicate, in a DSSE envelope.
 */
import {
  isRampartError,
  makeStatement,
  parseEnvelope,
  RampartError,
  signStatement,
  verifyStatement,
  type Digest,
  type Envelope,
  type PublicKeyLike,
  type Signer,
} from '../core/index.js';

/** The predicate type of dataset provenance statements. */
export const DATASET_PROVENANCE_TYPE = 'https://rampart.dev/dataset-provenance/v1';

/** A parent version, by label and root digest. */
export interface ParentRef {
  /** `name@N` */
  readonly name: string;
  readonly digest: Digest;
}

/** The predicate: where the data came from, what was done to it, who registered it, when. */
export interface DatasetProvenance {
  readonly dataset: string;
  readonly version: number;
  /** Digest of the manifest's canonical JSON, which carries the sizes and chunk digests. */
  readonly manifest: {
    readonly digest: Digest;
    readonly chunkSize: number;
    readonly fileCount: number;
    readonly totalSize: number;
  };
  readonly source: string | null;
  readonly collectedAt: string | null;
  readonly transforms: readonly string[];
  readonly parents: readonly ParentRef[];
  readonly registeredBy: { readonly subject: string; readonly type: 'human' | 'service' };
  readonly registeredAt: string;
}

/** What a stored envelope must be about. */
export interface ExpectedProvenance {
  readonly label: string;
  readonly root: Digest;
  readonly manifestDigest: Digest;
}

/** Signs the provenance of the version with root digest `root`. @throws as {@link signStatement} */
export function signProvenance(
  provenance: DatasetProvenance,
  root: Digest,
  signer: Signer,
): Promise<Envelope> {
  const statement = makeStatement({
    subjects: [{ name: `${provenance.dataset}@${provenance.version}`, digest: root }],
    predicateType: DATASET_PROVENANCE_TYPE,
    predicate: { ...provenance },
  });
  return signStatement(statement, [signer]);
}

/**
 * Parses and verifies a stored envelope with the trusted key and checks that it is about the
 * expected root and manifest digests.
 * @throws RAMPART_SIGNATURE_INVALID for a bad signature, RAMPART_DATASET_RECORD_INVALID for
 *   anything malformed or about other content.
 */
export function openProvenance(
  envelopeText: string,
  trusted: PublicKeyLike,
  expected: ExpectedProvenance,
): DatasetProvenance {
  let statement;
  try {
    const envelope = parseEnvelope(JSON.parse(envelopeText) as unknown);
    ({ statement } = verifyStatement(envelope, [trusted]));
  } catch (error) {
    if (isRampartError(error, 'RAMPART_SIGNATURE_INVALID')) {
      throw new RampartError(
        'RAMPART_SIGNATURE_INVALID',
        `the provenance of ${expected.label} is not signed by this state folder's signing key`,
        { cause: error, details: { dataset: expected.label } },
      );
    }
    throw invalid(expected.label, 'is not a valid DSSE envelope of an in-toto statement', error);
  }
  const [subject, ...others] = statement.subject;
  if (
    subject === undefined ||
    others.length > 0 ||
    `sha256:${subject.digest.sha256}` !== expected.root
  ) {
    throw invalid(expected.label, `is not about the root digest ${expected.root}`);
  }
  if (statement.predicateType !== DATASET_PROVENANCE_TYPE) {
    throw invalid(expected.label, `has predicate type ${JSON.stringify(statement.predicateType)}`);
  }
  // The predicate is only trusted once it is bound to the stored manifest.
  const signed = statement.predicate as { manifest?: { digest?: unknown } };
  if (signed.manifest?.digest !== expected.manifestDigest) {
    throw invalid(expected.label, 'signs another manifest than the stored one');
  }
  return statement.predicate as unknown as DatasetProvenance;
}

function invalid(label: string, problem: string, cause?: unknown): RampartError {
  return new RampartError(
    'RAMPART_DATASET_RECORD_INVALID',
    `the stored provenance of ${label} ${problem}`,
    { cause, details: { dataset: label } },
  );
}
