export {
  ERRORS,
  RampartError,
  fileError,
  isRampartError,
  systemErrorCode,
  wrapError,
  writeError,
} from './errors.js';
export type { ErrorCode, ErrorKind, ErrorSpec, RampartErrorOptions } from './errors.js';
export { createLogger, silentLogger } from './log.js';
export type { LogFields, LogLevel, Logger, LoggerOptions } from './log.js';
export { syncFolder, writeFileAtomic } from './atomic-write.js';
export type { AtomicWriteOptions } from './atomic-write.js';

export {
  digestFromBytes,
  digestHex,
  digestToBytes,
  digestsEqual,
  isDigest,
  parseDigest,
  sha256,
} from './digest.js';
export type { Digest } from './digest.js';
export { DEFAULT_WORKER_THRESHOLD, hashFile } from './hash/hash-file.js';
export type { HashFileOptions } from './hash/hash-file.js';
export { DEFAULT_SHARD_SIZE, hashFolder } from './hash/hash-folder.js';
export type {
  FolderManifest,
  HashFolderOptions,
  ManifestMethod,
  ManifestResource,
} from './hash/hash-folder.js';
export { HashPool } from './hash/hash-pool.js';
export type { HashPoolOptions, RangeDigest } from './hash/hash-pool.js';
export { comparePosixPaths } from './hash/path-order.js';
export { mapLimit } from './map-limit.js';
export { DEFAULT_IGNORE_PATHS, entryName, normaliseIgnorePaths, readFolder } from './hash/walk.js';
export { statKeyOf, VerifyCache } from './hash/verify-cache.js';

export { canonicalBytes, canonicalize } from './canonical-json.js';
export { isoNow } from './clock.js';
export { createLineBuffer } from './line-buffer.js';
export type { LineBuffer, LineBufferOptions } from './line-buffer.js';
export type { CanonicalizeOptions } from './canonical-json.js';
export { MAX_SIGNATURES, pae, parseEnvelope, signEnvelope, verifyEnvelope } from './dsse.js';
export type { Envelope, EnvelopeLimits, EnvelopeSignature, VerifiedEnvelope } from './dsse.js';
export {
  IN_TOTO_PAYLOAD_TYPE,
  STATEMENT_TYPE,
  makeStatement,
  parseStatement,
  signStatement,
  statementSubjects,
  verifyStatement,
} from './statement.js';
export type { Statement, StatementInput, StatementSubject, Subject } from './statement.js';
export {
  generateKeyPair,
  keyAlgorithm,
  keyId,
  loadPrivateKey,
  loadPublicKey,
  localSigner,
  savePrivateKey,
  savePublicKey,
  signatureHash,
  toPublicKey,
  verifySignature,
} from './keys.js';
export type { KeyAlgorithm, KeyPair, PublicKeyLike, SignatureAlgorithm, Signer } from './keys.js';

export { Kek, generateKek } from './encryption/kek.js';
export type { RandomSource } from './encryption/kek.js';
export { Keyring, toKeyring } from './encryption/keyring.js';
export type { KeySource } from './encryption/keyring.js';
export { loadKek, loadKeyring, saveKek } from './encryption/kek-file.js';
export { decryptBytes, encryptBytes } from './encryption/bytes.js';
export { decryptStream, encryptStream } from './encryption/streams.js';
export { decryptFile, encryptFile } from './encryption/files.js';
export type { DecryptFileOptions, EncryptFileOptions } from './encryption/files.js';
export type { DecryptOptions, EncryptOptions } from './encryption/envelope.js';
export { DEFAULT_CHUNK_SIZE, HEADER_SIZE } from './encryption/format.js';
export { pathExists, readSmallFile, readTextIfExists } from './files.js';
export { displayUrl, httpBaseUrl, httpRequest, jsonBody, remoteFailed } from './http-request.js';
export type { HttpAnswer, HttpRequestOptions, RemoteDescription } from './http-request.js';
export { closeServer } from './close-server.js';
export { packageRoot, packageVersion } from './package-root.js';
export { sarifLog, sarifUri } from './sarif.js';
export type { SarifRun } from './sarif.js';
