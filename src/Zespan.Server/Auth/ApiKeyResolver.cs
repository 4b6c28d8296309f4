using System.Collections.Concurrent;
using Zespan.Core.Projects;
using Zespan.Core.Storage;

namespace Zespan.Server.Auth;

/// <summary>
/// Maps a presented API key to its project with a short in-memory cache, so ingestion does not look the key up per request.
/// Revocation takes effect at once, even when another process (the CLI, another server on the same PostgreSQL) revokes: every cached entry remembers the
/// control plane's revocation counter (<see cref="IControlPlaneVersions"/>) at lookup time, and an entry older than the current
/// counter is looked up again. Reading the counter costs a few microseconds on SQLite and one small shared round trip on
/// PostgreSQL, less than a key lookup.
/// Last-used times are written at most once a minute per key.
/// </summary>
public sealed class ApiKeyResolver(IProjectStore projects, IControlPlaneVersions versions, TimeProvider clock)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (long KeyId, long ProjectId, DateTimeOffset Until, long RevocationVersion)> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, DateTimeOffset> _lastTouched = new();

    public async Task<(long KeyId, long ProjectId)?> ResolveAsync(string secret)
    {
        if (!ApiKeySecret.LooksValid(secret))
            return null;
        var now = clock.GetUtcNow();
        var hash = Convert.ToHexString(ApiKeySecret.Hash(secret));
        var revocationVersion = (await versions.ReadAsync()).KeyRevocations;
        if (_live.TryGetValue(hash, out var cached) && cached.Until > now && cached.RevocationVersion == revocationVersion)
        {
            Touch(cached.KeyId, now);
            return (cached.KeyId, cached.ProjectId);
        }
        var found = await projects.FindLiveKeyAsync(ApiKeySecret.Hash(secret));
        if (found is null)
        {
            _live.TryRemove(hash, out _);
            return null;
        }
        _live[hash] = (found.Value.KeyId, found.Value.ProjectId, now + CacheFor, revocationVersion);
        Touch(found.Value.KeyId, now);
        return found;
    }

    /// <summary>Drops a key from the cache. Not needed for correctness (the revocation counter covers it), but frees the entry at once.</summary>
    public void Forget(long keyId)
    {
        foreach (var entry in _live.Where(e => e.Value.KeyId == keyId).ToList())
            _live.TryRemove(entry.Key, out _);
    }

    private void Touch(long keyId, DateTimeOffset now)
    {
        if (_lastTouched.TryGetValue(keyId, out var last) && now - last < TouchEvery)
            return;
        _lastTouched[keyId] = now;
        // Bookkeeping only: never make the caller wait for it or fail because of it.
        _ = Task.Run(async () =>
        {
            try { await projects.TouchApiKeyAsync(keyId, now.ToUnixTimeMilliseconds()); }
            catch (Exception) { /* a missed last-used time is harmless */ }
        });
    }
}
