using System.Text;

namespace ZespanSdk.Spans;

/// <summary>
/// The sampling rule every Zespan SDK shares (docs/sdk-spec.md, "Sampling"): <c>zespan-fnv1a32-fmix32</c>.
/// Keyed by the session id, so a session spanning several processes and SDKs is recorded whole or not at all.
/// </summary>
internal static class Sampling
{
    public const string Rule = "zespan-fnv1a32-fmix32";

    /// <summary>32-bit FNV-1a over the key's UTF-8 bytes, then murmur3's 32-bit finaliser (fmix32).</summary>
    public static uint Hash32(string key)
    {
        uint h = 0x811C9DC5;
        foreach (byte b in Encoding.UTF8.GetBytes(key))
        {
            h = unchecked((h ^ b) * 0x01000193);
        }
        h ^= h >> 16;
        h = unchecked(h * 0x85EBCA6B);
        h ^= h >> 13;
        h = unchecked(h * 0xC2B2AE35);
        h ^= h >> 16;
        return h;
    }

    public static bool IsSampled(string key, double rate) =>
        rate >= 1 || (rate > 0 && Hash32(key) / 4294967296.0 < rate);
}
