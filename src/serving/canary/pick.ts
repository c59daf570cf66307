/**
 * Chooses the version for one request, deterministically: a 32-bit hash (FNV-1a, then mixed) of `requestKey`
 * falls in one of 100 buckets, and buckets below `weight` go to the canary. The same key always
 * lands in the same bucket, so with a caller's identity as the key routing is sticky, and a
 * caller moved to the canary at 5 % stays there at 25 % (the buckets only grow). With a
 * per-request id as the key the split is per request. Weight 0 never and 100 always picks the
 * canary.
 */
export function pick(weight: number, requestKey: string): 'stable' | 'canary' {
  if (!(weight > 0)) return 'stable';
  if (weight >= 100) return 'canary';
  let hash = 0x811c9dc5;
  for (let i = 0; i < requestKey.length; i++) {
    hash ^= requestKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // Murmur3's finaliser: FNV-1a alone leaves similar keys (req-1, req-2…) in nearby buckets.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % 100 < weight ? 'canary' : 'stable';
}
