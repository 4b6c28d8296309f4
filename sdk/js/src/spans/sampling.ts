/**
 * Deterministic sampling: the same key always gets the same answer, so every call of a
 * session (the key is the session id when there is one) is kept or dropped together and a
 * sampled session never shows missing turns.
 */
export function isSampled(key: string, sampleRate: number): boolean {
  if (sampleRate >= 1) return true;
  if (sampleRate <= 0) return false;
  // FNV-1a, 32 bit: cheap and evenly spread for ids.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 0x1_0000_0000 < sampleRate;
}
