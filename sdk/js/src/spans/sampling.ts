/**
 * Deterministic sampling, the rule of docs/sdk-spec.md ("zespan-fnv1a32-fmix32"): the same key
 * always gets the same answer in every Zespan SDK, so every call of a session (the key is the
 * session id when there is one) is kept or dropped together, even when a Python backend and a
 * JS worker both take part in it.
 */
export function isSampled(key: string, sampleRate: number): boolean {
  if (sampleRate >= 1) return true;
  if (sampleRate <= 0 || Number.isNaN(sampleRate)) return false;
  return samplingHash(key) / 0x1_0000_0000 < sampleRate;
}

/**
 * FNV-1a, 32 bit, over the key's UTF-8 bytes, then murmur3's 32-bit finaliser. FNV alone leaves
 * the last characters in the high bits almost unmixed, so sequential ids ("conv-1", "conv-2", ...)
 * were kept or dropped in runs. Returns an unsigned 32-bit integer.
 */
export function samplingHash(key: string): number {
  let hash = 0x811c9dc5;
  const bytes = isAscii(key) ? undefined : Buffer.from(key, "utf8");
  const length = bytes ? bytes.length : key.length;
  for (let i = 0; i < length; i++) {
    hash ^= bytes ? bytes[i]! : key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function isAscii(key: string): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0x7f) return false;
  return true;
}
