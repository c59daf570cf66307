/**
 * The error catalogue. Every failure Rampart reports carries one of these stable codes, a
 * message that says what failed and a hint that says how to fix it. Codes are listed in
 * docs/errors.md (a test keeps the two in step) and are never reused once retired.
 */

/**
 * What kind of failure a code is. The CLI maps kinds to exit codes and the server maps them
 * to HTTP statuses, each in one place; domain code never speaks HTTP.
 */
export type ErrorKind =
  /** Bad flag, unknown command or option: the caller must change the call. */
  | 'usage'
  /** Unreadable, malformed or out-of-limit input. */
  | 'input'
  /** The named thing does not exist. */
  | 'not_found'
  /** The request clashes with existing state. */
  | 'conflict'
  /** Bytes, digests or signatures do not verify: evidence of corruption or tampering. */
  | 'integrity'
  /** No or bad credentials. */
  | 'unauthenticated'
  /** Authenticated, but policy refuses. */
  | 'refused'
  /** A resource (database, port, disk) is busy, full or unreachable. */
  | 'unavailable'
  /** A bug or an unexpected failure inside Rampart. */
  | 'internal';

/** One catalogue entry. */
export interface ErrorSpec {
  readonly kind: ErrorKind;
  /** One line: what this code means. */
  readonly title: string;
  /** Default advice on how to fix it; a thrower may give a more specific one. */
  readonly hint: string;
}

/** The catalogue. Add new codes at the end of their group; never rename or reuse one. */
export const ERRORS = {
  RAMPART_USAGE: {
    kind: 'usage',
    title: 'The command line is not valid.',
    hint: 'Run the command with --help to see its usage.',
  },
  RAMPART_INTERNAL: {
    kind: 'internal',
    title: 'An unexpected internal error.',
    hint: 'This is a bug in Rampart; report it with the command and the log output.',
  },
  RAMPART_FILE_NOT_FOUND: {
    kind: 'input',
    title: 'A file or folder does not exist.',
    hint: 'Check the path, or create the file first.',
  },
  RAMPART_FILE_UNREADABLE: {
    kind: 'input',
    title: 'A file or folder exists but cannot be read.',
    hint: 'Check the permissions of the path and of its parent folders.',
  },
  RAMPART_FILE_TYPE_UNSUPPORTED: {
    kind: 'input',
    title: 'A path is not a regular file or folder (socket, FIFO, device or symbolic link).',
    hint: 'Remove the special file, or replace the link with the file it points to.',
  },
  RAMPART_LIMIT_EXCEEDED: {
    kind: 'input',
    title: 'An input is larger, deeper or longer than the configured limit.',
    hint: 'Check the input; raise the limit in rampart.yaml only if the input is trusted.',
  },
  RAMPART_HOME_INVALID: {
    kind: 'input',
    title: 'The state folder cannot be used.',
    hint: 'Point --home or RAMPART_HOME at a writable folder (default ./.rampart).',
  },
  RAMPART_CONFIG_NOT_FOUND: {
    kind: 'input',
    title: 'The configuration file named on the command line does not exist.',
    hint: 'Check the --config path, or omit it to use rampart.yaml in the state folder.',
  },
  RAMPART_CONFIG_PARSE: {
    kind: 'input',
    title: 'The configuration file is not valid YAML.',
    hint: 'Fix the YAML syntax at the line and column given.',
  },
  RAMPART_CONFIG_INVALID: {
    kind: 'input',
    title: 'The configuration does not match the schema.',
    hint: 'Fix the keys listed; docs/configuration.md lists every key and its default.',
  },
  RAMPART_STORE_UNAVAILABLE: {
    kind: 'unavailable',
    title: 'The metadata store cannot be opened or reached.',
    hint: 'Check store.url in rampart.yaml and that the database server is running.',
  },
  RAMPART_STORE_LOCKED: {
    kind: 'unavailable',
    title: 'The metadata store stayed locked by another process past the busy timeout.',
    hint: 'Wait for the other process to finish, or raise store.busyTimeoutMs.',
  },
  RAMPART_STORE_CORRUPT: {
    kind: 'input',
    title: 'The metadata store file is not a valid database.',
    hint: 'Restore the database from a backup; Rampart will not overwrite it.',
  },
  RAMPART_STORE_TOO_NEW: {
    kind: 'input',
    title: 'The database was written by a newer version of Rampart.',
    hint: 'Upgrade Rampart to the version that wrote the database; migrations are forward-only.',
  },
  RAMPART_STORE_MIGRATION_FAILED: {
    kind: 'internal',
    title: 'A schema migration failed and was rolled back.',
    hint: 'The database is unchanged; report the error with the migration number.',
  },
  RAMPART_STORE_QUERY_FAILED: {
    kind: 'internal',
    title: 'A database statement failed.',
    hint: 'Check the database server log; report the error if it persists.',
  },
  RAMPART_STORE_CONFLICT: {
    kind: 'conflict',
    title: 'A write clashes with a row that already exists.',
    hint: 'Use a new name or identifier; existing records are immutable.',
  },
  RAMPART_DIGEST_INVALID: {
    kind: 'input',
    title: 'A digest is not of the form sha256:<64 lowercase hex digits>.',
    hint: 'Copy the digest exactly as Rampart printed it.',
  },
  RAMPART_BLOB_NOT_FOUND: {
    kind: 'not_found',
    title: 'No blob with this digest is stored.',
    hint: 'Check the digest, or store the content first.',
  },
  RAMPART_BLOB_CORRUPT: {
    kind: 'integrity',
    title: 'A stored blob no longer matches its digest.',
    hint: 'The blob was altered on disk; restore it from a backup or store the content again.',
  },
  RAMPART_BLOB_WRITE_FAILED: {
    kind: 'unavailable',
    title: 'A blob could not be written (disk full, read-only or interrupted).',
    hint: 'Free disk space or fix permissions in the state folder, then retry; nothing was kept.',
  },
  RAMPART_FILE_WRITE_FAILED: {
    kind: 'unavailable',
    title: 'A file could not be written (permission denied, disk full or read-only).',
    hint: 'Fix the permissions of the folder or free disk space, then retry; nothing was left half-written.',
  },
  RAMPART_HASH_FAILED: {
    kind: 'internal',
    title: 'A hashing worker failed.',
    hint: 'Retry; if it persists, report the error with the input size.',
  },
  RAMPART_JSON_NOT_CANONICALIZABLE: {
    kind: 'input',
    title: 'A value cannot be written as canonical JSON (RFC 8785).',
    hint: 'Remove non-finite numbers, undefined, functions, cycles and lone surrogates.',
  },
  RAMPART_KEY_NOT_FOUND: {
    kind: 'input',
    title: 'A key file does not exist.',
    hint: 'Run `rampart init` to create the keys, or check the key path.',
  },
  RAMPART_KEY_INVALID: {
    kind: 'input',
    title: 'A key file is malformed or of the wrong kind.',
    hint: 'Supply a PEM key (PKCS#8 private or SPKI public) of a supported algorithm.',
  },
  RAMPART_KEY_UNSUPPORTED: {
    kind: 'input',
    title: 'A key uses an algorithm Rampart does not support.',
    hint: 'Use an ECDSA P-256 or Ed25519 key.',
  },
  RAMPART_DSSE_MALFORMED: {
    kind: 'input',
    title: 'A DSSE envelope or in-toto statement is malformed.',
    hint: 'Check that the file is a DSSE envelope as produced by Rampart or model_signing.',
  },
  RAMPART_SIGNATURE_INVALID: {
    kind: 'integrity',
    title: 'No signature verifies with a trusted key.',
    hint: 'The content or signature was altered, or it was signed by an untrusted key.',
  },
  RAMPART_CIPHERTEXT_MALFORMED: {
    kind: 'input',
    title: 'An encrypted file has a missing or malformed header.',
    hint: 'Check that the file was written by Rampart encryption and not truncated at the start.',
  },
  RAMPART_DECRYPT_FAILED: {
    kind: 'integrity',
    title:
      'Decryption failed: wrong key, or a chunk was modified, reordered, swapped or truncated.',
    hint: 'Check the key-encryption key; otherwise the ciphertext was tampered with.',
  },
  RAMPART_AUDIT_RANGE_INVALID: {
    kind: 'usage',
    title: 'A tree size or leaf index is negative, not an integer, or out of range.',
    hint: 'Ask for a leaf index below the tree size, and for sizes no larger than the log.',
  },
  RAMPART_AUDIT_PROOF_INVALID: {
    kind: 'integrity',
    title: 'A Merkle inclusion or consistency proof does not verify.',
    hint: 'The log entry, proof or checkpoint was altered, or the log forked; keep the evidence.',
  },
  RAMPART_CHECKPOINT_MALFORMED: {
    kind: 'input',
    title: 'A checkpoint, signed note or verifier key is malformed.',
    hint: 'Check that the text is a C2SP checkpoint or signed note, copied byte for byte.',
  },
  RAMPART_CHECKPOINT_INVALID: {
    kind: 'integrity',
    title: 'A signed checkpoint is not from the expected log.',
    hint: 'Check the origin and the verifier key of the log you meant to check against.',
  },
  RAMPART_AUDIT_EVENT_INVALID: {
    kind: 'input',
    title: 'An audit event is malformed, too large, or carries a secret.',
    hint: 'Fix the fields listed; docs/audit.md describes the event schema and its limits.',
  },
  RAMPART_AUDIT_TAMPERED: {
    kind: 'integrity',
    title: 'The stored audit log does not match its own hashes or signed checkpoints.',
    hint: 'The log was altered, truncated or reordered at the index named; restore it from a backup and investigate.',
  },
  RAMPART_AUDIT_NOT_FOUND: {
    kind: 'not_found',
    title: 'No audit entry or checkpoint at that index or size.',
    hint: 'Check the index against `rampart audit checkpoint` (entries are numbered from 0).',
  },
  RAMPART_AUDIT_FORK: {
    kind: 'integrity',
    title:
      'A new checkpoint is not consistent with the one the witness accepted before (fork or rollback).',
    hint: 'Treat the log as compromised: keep both checkpoints as evidence and investigate.',
  },
  // Model signing
  RAMPART_MODEL_SIGNATURE_MALFORMED: {
    kind: 'input',
    title: 'A model signature file is not a valid Sigstore bundle with an OMS statement.',
    hint: 'Check that the file is a model.sig written by `rampart sign` or model_signing, and not truncated.',
  },
  RAMPART_MODEL_SIGNATURE_UNSUPPORTED: {
    kind: 'input',
    title:
      'A model signature uses a format, predicate, hash or signing method Rampart does not read.',
    hint: 'Re-sign the model with `rampart sign` or model_signing 1.x (predicate https://model_signing/signature/v1.0).',
  },
  RAMPART_MODEL_MISMATCH: {
    kind: 'integrity',
    title: 'The model files do not match its signature (changed, added or missing files).',
    hint: 'The files named were altered after signing; restore them, or re-sign if the change is intended.',
  },
  RAMPART_MODEL_KEY_MISMATCH: {
    kind: 'integrity',
    title: 'The model was signed by a different key than the one given.',
    hint: "Verify with the signer's public key; the signature names the key it expects by its hint.",
  },
  RAMPART_MODEL_CERTIFICATE_INVALID: {
    kind: 'integrity',
    title:
      'The signing certificate does not chain to the given root, is not valid, or may not sign code.',
    hint: 'Pass the root CA that issued the signing certificate with --certificate-chain.',
  },
  RAMPART_MODEL_TRUST_ROOT_MISSING: {
    kind: 'refused',
    title: 'A keyless Sigstore signature cannot be verified: no Sigstore trust root is configured.',
    hint: 'Verify it online with model_signing verify sigstore, or re-sign with a key or certificate.',
  },
  RAMPART_REMOTE_FAILED: {
    kind: 'unavailable',
    title:
      'A remote server could not be reached, timed out, or gave an error or unreadable answer.',
    hint: 'Check the URL and that the server runs; the details name the HTTP status and remote code.',
  },
  // Datasets
  RAMPART_DATASET_NAME_INVALID: {
    kind: 'usage',
    title: 'A dataset name or version reference is not valid.',
    hint: 'Use a name of the form [a-z0-9][a-z0-9._-]* and refer to versions as name@N or name@sha256:<hex>.',
  },
  RAMPART_DATASET_INPUT_INVALID: {
    kind: 'input',
    title:
      'A provenance field of a dataset version is not valid (time, source URI, transform, parents).',
    hint: 'Give --collected-at as an RFC 3339 time, --source as a URI, and at most the documented number of transforms and parents.',
  },
  RAMPART_DATASET_NOT_FOUND: {
    kind: 'not_found',
    title: 'No dataset or dataset version with that name, number or digest is registered.',
    hint: 'Run `rampart data list` to see the registered datasets and their versions.',
  },
  RAMPART_DATASET_REFUSED: {
    kind: 'refused',
    title: 'Policy does not allow this principal to add versions of the dataset.',
    hint: 'Ask a data steward of the dataset (today: the admin of the state folder) to add the version.',
  },
  RAMPART_DATASET_RECORD_INVALID: {
    kind: 'integrity',
    title:
      'A stored dataset manifest or provenance record is malformed or does not match its signed digest.',
    hint: 'The record was altered in the store; restore the database from a backup and investigate.',
  },
  // Encryption at rest
  RAMPART_BLOB_KEY_MISSING: {
    kind: 'integrity',
    title: 'An encrypted blob has no data-key record, so it cannot be decrypted.',
    hint: 'The blob_keys row was deleted or the database was restored without it; restore the database from a backup or store the content again.',
  },
  RAMPART_ENCRYPTION_CONFIG_INVALID: {
    kind: 'input',
    title:
      'The key-encryption-key provider is not usable as configured (missing Vault settings or token, or a blob key made by another provider).',
    hint: 'Check the encryption section of rampart.yaml and that the variable named by encryption.vault.tokenEnv holds a Vault token.',
  },
  // Model server
  RAMPART_TENSOR_INVALID: {
    kind: 'input',
    title:
      'An OIP tensor is malformed: unsupported datatype, bad shape, element count not matching the shape, or an element of the wrong type or out of range.',
    hint: 'Send data as numbers (booleans for BOOL, strings for BYTES) within the datatype range, with as many elements as the product of the shape.',
  },
  RAMPART_TENSOR_UNREPRESENTABLE: {
    kind: 'internal',
    title:
      'A model output cannot be written as OIP JSON (an INT64/UINT64 value beyond ±2^53-1, a NaN or infinite float, or an unsupported type).',
    hint: 'The model produced values JSON numbers cannot carry exactly; fix the model or ask for other outputs.',
  },
  RAMPART_MODEL_SERVER_ADDRESS_REFUSED: {
    kind: 'usage',
    title:
      'The embedded model server listens only on loopback (127.0.0.1, ::1) or a Unix socket; another address was given.',
    hint: 'Leave the host at 127.0.0.1 and expose models through the gateway, which authenticates callers.',
  },
  RAMPART_MODEL_SERVER_REQUEST_INVALID: {
    kind: 'input',
    title:
      'An OIP request to the model server is malformed or does not match the model metadata (JSON, inputs, outputs, names).',
    hint: 'Fetch GET /v2/models/{name} and send inputs and outputs named, typed and shaped as it lists them.',
  },
  RAMPART_MODEL_SERVER_BODY_TOO_LARGE: {
    kind: 'input',
    title: 'An OIP request body is larger than the model server accepts.',
    hint: 'Send fewer rows per request, or raise the body limit where the model server is started.',
  },
  RAMPART_MODEL_SERVER_MODEL_UNKNOWN: {
    kind: 'not_found',
    title: 'The model server has no model, or no version of it, loaded under that name.',
    hint: 'Check the name and version in the URL; the gateway loads approved versions on start and refresh.',
  },
  RAMPART_MODEL_SERVER_LOAD_FAILED: {
    kind: 'input',
    title:
      'ONNX Runtime could not load the model bytes, or the model has inputs or outputs the server cannot serve.',
    hint: 'Check that the artefact is a valid ONNX model with tensor inputs and outputs of OIP datatypes.',
  },
  RAMPART_MODEL_SERVER_INFERENCE_FAILED: {
    kind: 'internal',
    title: 'ONNX Runtime failed while running a model on a validated request.',
    hint: 'Check the model server log for the runtime message; the model may need inputs within a narrower range.',
  },
  // Dependency audit
  RAMPART_LOCKFILE_INVALID: {
    kind: 'input',
    title:
      'A lockfile is malformed, larger than the limits, or of a kind Rampart cannot read (requirements.txt, poetry.lock, uv.lock, Pipfile.lock, conda-lock.yml, package-lock.json v2/v3).',
    hint: 'Fix the file at the line given, or regenerate it with its tool (pip-compile --generate-hashes, poetry lock, uv lock, pipenv lock, conda-lock, npm install --package-lock-only).',
  },
  RAMPART_ADVISORY_DB_MISSING: {
    kind: 'usage',
    title: 'No advisory database was given, or the path given is not an OSV advisory folder.',
    hint: 'Run `rampart deps db import <folder or zip>` (e.g. a clone of https://github.com/pypa/advisory-database), or pass a clone with --db or $RAMPART_ADVISORY_DB.',
  },
  RAMPART_ADVISORY_INVALID: {
    kind: 'input',
    title: 'An advisory record in the database is malformed, too large, or not an OSV document.',
    hint: 'Update or re-clone the advisory database; the record named cannot be evaluated.',
  },
  // Table readers (CSV, JSON lines, Parquet, Arrow)
  RAMPART_TABLE_OPTIONS_INVALID: {
    kind: 'usage',
    title:
      'The options given to a table reader are not valid (format, batch size, limits, declared types).',
    hint: 'Give a known format (csv, jsonl, parquet, arrow), positive integer sizes and limits, and types number, integer, boolean or string.',
  },
  RAMPART_TABLE_FORMAT_UNKNOWN: {
    kind: 'input',
    title:
      'The format of a table file cannot be determined, or its content does not match its name or the declared format.',
    hint: 'Name the file .csv, .tsv, .jsonl, .ndjson, .parquet, .arrow, .feather or .ipc, or pass the format explicitly; check the file is what its name says.',
  },
  RAMPART_TABLE_MALFORMED: {
    kind: 'input',
    title:
      'A table file is not valid for its format (bad quoting, ragged row, a line that is not a JSON object, a truncated or corrupt Parquet or Arrow file).',
    hint: 'Fix the file at the line or part named, or regenerate it with the tool that wrote it.',
  },
  RAMPART_TABLE_SCHEMA_INVALID: {
    kind: 'input',
    title:
      'The columns of a table do not fit what is required (missing declared column, duplicate or empty name, unsupported or nested type, a key outside the schema).',
    hint: 'Rename or add the column named, declare its type as string, or raise inferRows so every column is seen during inference.',
  },
  RAMPART_TABLE_LIMIT_EXCEEDED: {
    kind: 'input',
    title:
      'A table file exceeds a reader limit (columns, record or line size, header name length, rows).',
    hint: 'Split or fix the file, or raise the limit named in the message if the input is trusted.',
  },
  // Profiles and schemas
  RAMPART_PROFILE_INVALID: {
    kind: 'input',
    title:
      'A data profile document is malformed, of an unknown format, inconsistent or over its limits.',
    hint: 'Regenerate the profile from the data with Rampart; profile files are not meant to be edited by hand.',
  },
  RAMPART_PROFILE_MISMATCH: {
    kind: 'input',
    title:
      'Profiles or batches disagree on their columns or column types, so they cannot be combined.',
    hint: 'Profile the same columns with the same types (declare them in a schema), or compare like with like.',
  },
  RAMPART_SCHEMA_INVALID: {
    kind: 'input',
    title: 'A data schema document is not valid JSON or YAML, or does not match rampart.schema/v1.',
    hint: 'Fix the keys named at the path given; docs/data-schema.md lists every key.',
  },
  // Data check
  RAMPART_DATA_CHECK_PROFILE_MODE: {
    kind: 'usage',
    title:
      "A data check against a profile was asked for Evidently mode, whose tests need the reference's raw values.",
    hint: 'Drop --mode evidently (strict, the default, works from profiles), or give the reference table instead of its profile.',
  },
  RAMPART_DATA_REFERENCE_UNVERIFIED: {
    kind: 'integrity',
    title:
      'The dataset version given as the reference of a data check does not verify against its manifest.',
    hint: 'Run `rampart data verify <name@N>` to see what changed; check against an intact version.',
  },
  // Poisoning signals
  RAMPART_POISONING_INPUT_INVALID: {
    kind: 'input',
    title:
      'The tables given to the poisoning check cannot be compared: empty reference, mismatched columns or malformed batches or history.',
    hint: 'Give a reference with rows, the same column names and types on both sides, and row counts as non-negative integers in history.',
  },
  RAMPART_POISONING_LABEL_MISSING: {
    kind: 'input',
    title:
      'The label column named for the poisoning check is not in the reference or current table.',
    hint: 'Check the label column name (it is case-sensitive), or omit it to skip the label signals.',
  },
  RAMPART_POISONING_OPTIONS_INVALID: {
    kind: 'usage',
    title: 'An option of the poisoning check is out of range.',
    hint: 'Thresholds and shares are numbers in their documented ranges; caps and sizes are positive integers.',
  },
  // Monitoring
  RAMPART_MONITOR_INVALID: {
    kind: 'usage',
    title:
      'A monitoring option or statistic input is out of range (queue capacity, detector settings, sample size).',
    hint: 'Check the value named in the message against docs/monitoring.md.',
  },
  RAMPART_LABELS_INVALID: {
    kind: 'input',
    title: 'A delayed-labels file or inference-record log is malformed or larger than the limits.',
    hint: 'Give labels as CSV (header request_id,label) or JSON lines {"request_id","label"}, within the limits in docs/monitoring.md.',
  },
  // Advisory database import
  RAMPART_ADVISORY_IMPORT_INVALID: {
    kind: 'input',
    title:
      'An advisory import was refused: a record is malformed or too large, or the source is over the import limits. The imported advisory store was left unchanged.',
    hint: 'Fix or remove the record named and import again, or pass --skip-invalid to import the rest and list what was skipped.',
  },
  RAMPART_ADVISORY_STORE_INVALID: {
    kind: 'input',
    title:
      'The imported advisory store in the state folder is damaged: index.json or a package file is not in the format Rampart writes.',
    hint: 'Import the advisory database again with `rampart deps db import <folder or zip>`.',
  },
  // Training runs
  RAMPART_TRAIN_REFUSED: {
    kind: 'refused',
    title:
      'A training run was refused before its command started: an input did not pass its check.',
    hint: 'Read the reason: verify the dataset (`rampart data verify`), fix the lockfile findings (`rampart deps audit`), or run where isolation is possible.',
  },
  RAMPART_TRAIN_COMMAND_UNAVAILABLE: {
    kind: 'input',
    title: 'The training command could not be started (not found or not executable).',
    hint: 'Give the command after `--` with its full path or make sure it is on PATH.',
  },
  RAMPART_TRAIN_OUTPUT_MISSING: {
    kind: 'integrity',
    title: 'A declared output of a training run is missing or is not a regular file.',
    hint: 'Check that the command writes every path given with --output (relative to the working folder).',
  },
  RAMPART_TRAIN_RUN_NOT_FOUND: {
    kind: 'not_found',
    title: 'No training run with that id is recorded.',
    hint: 'Run `rampart train list` to see the recorded runs.',
  },
  RAMPART_TRAIN_RECORD_INVALID: {
    kind: 'integrity',
    title: 'A stored training run record is damaged and cannot be read.',
    hint: 'Restore the state folder from a backup; the run cannot be verified.',
  },
  // Identity and access
  RAMPART_FORBIDDEN: {
    kind: 'refused',
    title: 'The principal is authenticated, but policy does not allow this action.',
    hint: 'Run `rampart access review` to see which roles allow the action, and ask an admin for one.',
  },
  RAMPART_PRINCIPAL_INVALID: {
    kind: 'usage',
    title: 'A principal name, kind, owner or role list is not valid.',
    hint: "Use a name of the form [a-z0-9][a-z0-9._@-]*, known roles (see `rampart access review`), and an existing human as a service account's owner.",
  },
  RAMPART_PRINCIPAL_NOT_FOUND: {
    kind: 'not_found',
    title: 'No principal with that name exists.',
    hint: 'Run `rampart principal list`, or add it with `rampart principal add <name> --role <role>`.',
  },
  RAMPART_PRINCIPAL_EXISTS: {
    kind: 'conflict',
    title: 'A principal with that name already exists.',
    hint: 'Pick another name; principals are never renamed or reused.',
  },
  RAMPART_TOKEN_NOT_FOUND: {
    kind: 'not_found',
    title: 'No API token with that id exists.',
    hint: 'Run `rampart token list` to see token ids.',
  },
  RAMPART_TOKEN_INPUT_INVALID: {
    kind: 'usage',
    title: 'A token option is not valid (expiry format or length).',
    hint: 'Give --expires as <N>d, <N>h or <N>m, no longer than identity.tokenMaxDays.',
  },
  // Certificates and tokens from outside
  RAMPART_CERTIFICATE_REQUEST_INVALID: {
    kind: 'usage',
    title: 'A certificate request is not valid: principal name, host or lifetime out of range.',
    hint: 'Use a principal name of the form [a-z0-9][a-z0-9._@-]*, DNS names or IP addresses as hosts, and a lifetime of at most 720 hours (CA: 3650 days).',
  },
  RAMPART_CA_EXISTS: {
    kind: 'conflict',
    title: 'A local certificate authority already exists in the state folder.',
    hint: 'Keep it, or replace it with `rampart certs ca --force` (certificates it issued stop being trusted).',
  },
  RAMPART_CA_NOT_FOUND: {
    kind: 'not_found',
    title: 'No local certificate authority exists in the state folder.',
    hint: 'Create one with `rampart certs ca`.',
  },
  RAMPART_CA_INVALID: {
    kind: 'input',
    title:
      'The local CA certificate or key is malformed, expired, not a CA, or the two do not match.',
    hint: 'Restore ca.crt and ca.key from a backup, or create a new CA with `rampart certs ca --force`.',
  },
  // Canary
  RAMPART_DEPLOYMENT_NOT_FOUND: {
    kind: 'not_found',
    title: 'No canary deployment exists for that served model.',
    hint: 'Start one with `rampart deploy <model> --canary <m@v>`.',
  },
  RAMPART_DEPLOYMENT_REFUSED: {
    kind: 'refused',
    title:
      'A canary deployment was refused: the version is not approved for the served alias, nothing is served to compare it with, or a deployment is already running or latched after a rollback.',
    hint: 'The message names the unmet condition; `rampart deploy <model> --status` shows the current deployment.',
  },
  RAMPART_DEPLOYMENT_STATE: {
    kind: 'conflict',
    title:
      'The deployment is not in a state that allows this change, or another process changed it first.',
    hint: 'Run `rampart deploy <model> --status`: --abort applies to a running deployment, --reset to a rolled-back one.',
  },
  RAMPART_CANARY_STEPS_INVALID: {
    kind: 'usage',
    title: 'A canary step list is not valid.',
    hint: 'Give increasing whole percentages from 1 to 100 that end at 100, e.g. --steps 5,25,50,100.',
  },
  // Registry
  RAMPART_MODEL_NAME_INVALID: {
    kind: 'usage',
    title: 'A model name, version reference or alias is not valid.',
    hint: 'Use names of the form [a-z0-9][a-z0-9._-]* (no slashes or ..), and refer to versions as name@N or name@alias.',
  },
  RAMPART_MODEL_NOT_FOUND: {
    kind: 'not_found',
    title: 'No model, model version or alias with that name is registered.',
    hint: 'Run `rampart model list` to see registered models and their versions.',
  },
  RAMPART_MODEL_REFUSED: {
    kind: 'refused',
    title:
      'The registry refused the model: its scan has findings or a linked input does not verify.',
    hint: 'Read the SARIF evidence named in the details, fix the artefact, and register again.',
  },
  RAMPART_MODEL_IMMUTABLE: {
    kind: 'refused',
    title: 'Model versions are immutable: their bytes, manifest and lineage can never change.',
    hint: 'Register the changed model as a new version.',
  },
  RAMPART_MODEL_INTEGRITY: {
    kind: 'integrity',
    title:
      'A stored model version does not verify: a blob, its manifest or its signature was altered.',
    hint: 'Quarantine the version (`rampart model quarantine`), investigate, and restore the blobs from a backup.',
  },
  RAMPART_MODEL_QUARANTINED: {
    kind: 'refused',
    title: 'The model version is quarantined and cannot be promoted or served.',
    hint: 'Register a fixed version and promote that one instead.',
  },
  RAMPART_ALIAS_PROTECTED: {
    kind: 'refused',
    title: 'The alias is protected and moves only through an approved promotion request.',
    hint: 'Request it with `rampart model promote <m@v> --to <alias> --evidence <file>` and get the required approvals.',
  },
  RAMPART_PROMOTION_REFUSED: {
    kind: 'refused',
    title:
      'A promotion gate refused: evidence, approvals, separation of duties or verification are not satisfied.',
    hint: 'The message names the unmet condition; fix it and try again.',
  },
  RAMPART_PROMOTION_NOT_FOUND: {
    kind: 'not_found',
    title: 'No promotion request with that id exists.',
    hint: 'Run `rampart model requests` to list promotion requests.',
  },
  RAMPART_PROMOTION_CLOSED: {
    kind: 'conflict',
    title: 'The promotion request is no longer open (approved, rejected, expired or superseded).',
    hint: 'Open a new request with `rampart model promote`.',
  },
  RAMPART_UNAUTHENTICATED: {
    kind: 'unauthenticated',
    title: 'The request carries no valid credential.',
    hint: 'Send `Authorization: Bearer <token>`; `rampart init` writes admin.token.',
  },
  RAMPART_NOT_FOUND: {
    kind: 'not_found',
    title: 'No such route or resource.',
    hint: 'Check the URL; the API is described in docs/.',
  },
  RAMPART_PORT_IN_USE: {
    kind: 'unavailable',
    title: 'The server cannot listen on its address.',
    hint: 'Stop the process using the port, or set server.port in rampart.yaml.',
  },
} as const satisfies Record<string, ErrorSpec>;

/** A stable error code. */
export type ErrorCode = keyof typeof ERRORS;

/** Options for {@link RampartError}. */
export interface RampartErrorOptions {
  /** How to fix it, when more specific than the catalogue's default hint. */
  readonly hint?: string;
  /** The lower-level error, kept for logs; never shown to API clients. */
  readonly cause?: unknown;
  /** Structured facts (paths, digests, validation issues); must not contain secrets. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The one error class Rampart throws; `code` is stable, `message` is for people. */
export class RampartError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly hint: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: RampartErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RampartError';
    this.code = code;
    this.kind = ERRORS[code].kind;
    this.hint = options.hint ?? ERRORS[code].hint;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  /** A JSON-safe view for `--json` output and API bodies (no cause, no stack). */
  toJSON(): { code: ErrorCode; message: string; hint: string; details?: Record<string, unknown> } {
    const body = { code: this.code, message: this.message, hint: this.hint };
    return Object.keys(this.details).length > 0 ? { ...body, details: { ...this.details } } : body;
  }
}

/** True when `error` is a RampartError, optionally with the given code. */
export function isRampartError(error: unknown, code?: ErrorCode): error is RampartError {
  return error instanceof RampartError && (code === undefined || error.code === code);
}

/**
 * Wraps any thrown value at an I/O boundary: RampartErrors pass through unchanged, anything
 * else becomes `code` with the original as `cause`.
 */
export function wrapError(error: unknown, code: ErrorCode, message: string): RampartError {
  return error instanceof RampartError ? error : new RampartError(code, message, { cause: error });
}

/** The errno-style code of a Node system error (`ENOENT`, `EACCES`, …), if any. */
export function systemErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * Turns a failed file-system call on `path` into a coded error: ENOENT becomes
 * RAMPART_FILE_NOT_FOUND, EACCES/EPERM RAMPART_FILE_UNREADABLE, ELOOP (a symbolic link opened
 * with O_NOFOLLOW) and ENXIO (a socket) RAMPART_FILE_TYPE_UNSUPPORTED, anything else `fallback`.
 */
export function fileError(
  error: unknown,
  path: string,
  fallback: ErrorCode = 'RAMPART_FILE_UNREADABLE',
): RampartError {
  if (error instanceof RampartError) return error;
  const sys = systemErrorCode(error);
  if (sys === 'ENOENT') {
    return new RampartError('RAMPART_FILE_NOT_FOUND', `${path}: no such file or folder`, {
      cause: error,
      details: { path },
    });
  }
  if (sys === 'ELOOP' || sys === 'ENXIO') {
    return new RampartError('RAMPART_FILE_TYPE_UNSUPPORTED', `${path}: not a regular file`, {
      cause: error,
      details: { path },
    });
  }
  if (sys === 'EACCES' || sys === 'EPERM') {
    return new RampartError('RAMPART_FILE_UNREADABLE', `${path}: permission denied`, {
      cause: error,
      details: { path },
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new RampartError(fallback, `${path}: ${reason}`, { cause: error, details: { path } });
}

/**
 * Turns a failed write of `path` into a coded error: ENOENT (a missing folder) becomes
 * RAMPART_FILE_NOT_FOUND, anything else (EACCES, ENOSPC, EROFS, …) RAMPART_FILE_WRITE_FAILED.
 */
export function writeError(error: unknown, path: string): RampartError {
  if (error instanceof RampartError || systemErrorCode(error) === 'ENOENT') {
    return fileError(error, path);
  }
  const reason = systemErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
  return new RampartError('RAMPART_FILE_WRITE_FAILED', `${path}: cannot write (${reason})`, {
    cause: error,
    details: { path },
  });
}
