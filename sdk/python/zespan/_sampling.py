"""The sampling rule every Zespan SDK shares (docs/sdk-spec.md, "Sampling"): `zespan-fnv1a32-fmix32`.

Decided once per root span, keyed by the session id when the context has one (else the new trace id),
so every trace of a session gets the same decision in every process and every SDK.
"""
RULE = "zespan-fnv1a32-fmix32"

_MASK = 0xFFFFFFFF


def hash32(key: str) -> int:
    """32-bit FNV-1a over the key's UTF-8 bytes, then murmur3's 32-bit finaliser (fmix32)."""
    h = 0x811C9DC5
    for byte in key.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & _MASK
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    h ^= h >> 16
    return h


def is_sampled(key: str, rate: float) -> bool:
    if rate >= 1.0:
        return True
    if rate <= 0.0:
        return False
    return hash32(key) / 4294967296.0 < rate
