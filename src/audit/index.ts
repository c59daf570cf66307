export { AuditLog, auditIdentity } from './log.js';
export type { AuditEntry, AuditLogOptions, AuditProof, InclusionProof } from './log.js';
export { openAuditLog } from './open.js';
export type { OpenedAuditLog } from './open.js';
export type { AppendReceipt } from './sequencer.js';
export { EVENT_VERSION, MAX_EVENT_BYTES, auditEventInputSchema, toLeaf } from './event.js';
export type { AuditEvent, AuditEventInput } from './event.js';
export type { VerifyReport } from './verify-log.js';
export { EMPTY_ROOT, HASH_SIZE, leafHash, nodeHash } from './merkle/hash.js';
export { MemoryTree } from './merkle/memory-tree.js';
export { verifyConsistency, verifyInclusion } from './merkle/verify.js';
export {
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from './checkpoint/checkpoint.js';
export type { Checkpoint, OpenedCheckpoint } from './checkpoint/checkpoint.js';
export { noteSigner, openNote, signNote } from './checkpoint/note.js';
export type { NoteKey, NoteSigner, OpenedNote } from './checkpoint/note.js';
export { parseVerifierKey, verifierKey } from './checkpoint/vkey.js';
export type { NoteVerifier } from './checkpoint/vkey.js';
export { localWitnessSource, readWitnessState, witnessCheckpoint } from './witness.js';
export type { SignedCheckpoint, WitnessReport, WitnessSource, WitnessState } from './witness.js';
export { addReceipt, receiptsOf } from './receipts.js';
export type { Receipt } from './receipts.js';
