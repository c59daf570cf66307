/**
 * Proof verification per RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency). Both throw
 * on any failure, so a caller cannot forget to check a boolean.
 */
import { RampartError } from '../../core/index.js';
import { HASH_SIZE, nodeHash } from './hash.js';
import { checkCount, half, isOdd, isPowerOfTwo } from './size.js';

function invalid(message: string, details: Record<string, unknown>): RampartError {
  return new RampartError('RAMPART_AUDIT_PROOF_INVALID', message, { details });
}

function checkHashes(what: string, hashes: readonly Uint8Array[]): void {
  const bad = hashes.findIndex((h) => h.length !== HASH_SIZE);
  if (bad !== -1) throw invalid(`${what}: hash ${bad} is not ${HASH_SIZE} bytes`, { hash: bad });
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/**
 * Checks that `leaf` (a leaf hash) is at `index` in the tree of `size` leaves with `root`.
 * @throws RAMPART_AUDIT_PROOF_INVALID when the proof does not verify (including index ≥ size);
 * RAMPART_AUDIT_RANGE_INVALID for a negative or non-integer index or size.
 */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  checkCount('index', index);
  checkCount('size', size);
  const where = `inclusion of leaf ${index} in tree of size ${size}`;
  if (index >= size) throw invalid(`${where}: index is not below size`, { index, size });
  checkHashes(where, [leaf, root, ...proof]);
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) throw invalid(`${where}: proof is too long`, { index, size });
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw invalid(`${where}: proof is too short`, { index, size });
  if (!equal(r, root)) throw invalid(`${where}: computed root differs`, { index, size });
}

/**
 * Checks that the tree of `size2` leaves with `root2` extends the tree of `size1` with `root1`.
 * @throws RAMPART_AUDIT_PROOF_INVALID when it does not verify (including size1 > size2 and
 * size1 = 0); RAMPART_AUDIT_RANGE_INVALID for a negative or non-integer size.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): void {
  checkCount('size1', size1);
  checkCount('size2', size2);
  const where = `consistency of size ${size1} with size ${size2}`;
  const details = { size1, size2 };
  if (size2 < size1) throw invalid(`${where}: the second tree is smaller`, details);
  // transparency-dev and its vectors reject this: any tree extends the empty one, so
  // a proof from it proves nothing.
  if (size1 === 0) throw invalid(`${where}: a proof from the empty tree is meaningless`, details);
  if (size1 === size2) {
    if (proof.length !== 0) throw invalid(`${where}: proof must be empty`, details);
    if (!equal(root1, root2)) throw invalid(`${where}: roots differ`, details);
    return;
  }
  checkHashes(where, [root1, root2, ...proof]);
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  const [fr, sr, sn] = foldConsistency(size1, size2, path, where);
  if (sn !== 0) throw invalid(`${where}: proof is too short`, details);
  if (!equal(fr, root1)) throw invalid(`${where}: computed first root differs`, details);
  if (!equal(sr, root2)) throw invalid(`${where}: computed second root differs`, details);
}

function foldConsistency(
  size1: number,
  size2: number,
  path: readonly Uint8Array[],
  where: string,
): [Uint8Array, Uint8Array, number] {
  const [first, ...rest] = path;
  if (first === undefined) throw invalid(`${where}: proof is empty`, { size1, size2 });
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = first;
  let sr: Uint8Array = first;
  for (const c of rest) {
    if (sn === 0) throw invalid(`${where}: proof is too long`, { size1, size2 });
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return [fr, sr, sn];
}
