/**
 * Deterministic sampling: the same key always gets the same answer, so every call of a
 * session (the key is the session id when there is one) is kept or dropped together and a
 * sampled session never shows missing turns.
 */
export function isSampled(key: string, sampleRate: number): boolean {
  if (sampleRate >= 1) return true;
  if (sampleRate <= 0) return false;
  // FNV-1a, 32 bit, then murmur3's finaliser. FNV alone leaves the last characters in the high bits
  // almost unmixed, so sequential ids ("conv-1", "conv-2", ...) were kept or dropped in runs.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 0x1_0000_0000 < sampleRate;
}
