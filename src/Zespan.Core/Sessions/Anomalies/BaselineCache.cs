using System.Collections.Concurrent;

namespace Zespan.Core.Sessions.Anomalies;

/// <summary>
/// The baselines of a project's trailing window ending now, remembered so the sessions list can badge its rows without
/// reading the window's sessions on every page load (a week of a million-session month is ~230,000 sessions' numbers).
/// How stale a baseline can be: a fresh one is reused for <see cref="FreshFor"/>; after that the remembered one is still
/// answered, for at most <see cref="UsableFor"/> after it was computed, while one refresh runs in the background. So a
/// badge is judged against a baseline that misses at most the last minute of sessions when the list is viewed at least
/// once a minute, and never more than the last ten minutes. Windows ending in the past are keyed by their end and
/// recomputed after <see cref="FreshFor"/> (late spans may still change them).
/// </summary>
public sealed class BaselineCache(TimeProvider clock)
{
    public static readonly TimeSpan FreshFor = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan UsableFor = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<Key, Entry> _entries = new();

    /// <summary>Baselines computed for a window, with the end they were computed for.</summary>
    public sealed record Computed(long WindowEndMs, Dictionary<AnomalyDetector.KindKey, KindBaseline> Baselines);

    private readonly record struct Key(long ProjectId, string? By, long WindowMs, long? EndMs);

    private sealed class Entry(Task<Computed> task, DateTimeOffset started)
    {
        public Task<Computed> Task { get; } = task;
        public DateTimeOffset Started { get; } = started;
        public Task<Computed>? Refresh { get; set; }
    }

    /// <summary>
    /// The baselines of the window of <paramref name="window"/> ending at <paramref name="endMs"/> (null: now), from
    /// memory when allowed; <paramref name="compute"/> reads them for a given end.
    /// </summary>
    public async Task<Computed> GetAsync(
        long projectId, SessionGrouping? by, TimeSpan window, long? endMs, Func<long, Task<Computed>> compute)
    {
        var now = clock.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        // An end within a minute of now (the list's "last 24 hours" ends at the request's own now) is the live window.
        var live = endMs is not { } end || Math.Abs(end - nowMs) <= FreshFor.TotalMilliseconds;
        var key = new Key(projectId, SessionKinds.ByText(by), (long)window.TotalMilliseconds, live ? null : endMs);
        var computeEnd = live ? nowMs : endMs!.Value;
        while (true)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                var created = new Entry(compute(computeEnd), now);
                if (!_entries.TryAdd(key, created))
                    continue;
                return await Awaited(key, created);
            }
            var age = now - entry.Started;
            if (age < FreshFor && !entry.Task.IsFaulted)
                return await Awaited(key, entry);
            if (live && age < UsableFor && entry.Task.IsCompletedSuccessfully)
            {
                lock (entry)
                {
                    entry.Refresh ??= RefreshAsync(key, entry, compute, computeEnd, now);
                }
                return entry.Task.Result;
            }
            // Too old to answer: compute afresh, inline (one caller computes, the others wait for it).
            var replacement = new Entry(compute(computeEnd), now);
            if (_entries.TryUpdate(key, replacement, entry))
                return await Awaited(key, replacement);
        }
    }

    private async Task<Computed> Awaited(Key key, Entry entry)
    {
        try
        {
            return await entry.Task;
        }
        catch
        {
            _entries.TryRemove(new KeyValuePair<Key, Entry>(key, entry)); // a failed read is not remembered
            throw;
        }
    }

    private async Task<Computed> RefreshAsync(Key key, Entry stale, Func<long, Task<Computed>> compute, long endMs, DateTimeOffset started)
    {
        await Task.Yield(); // the request answers from the stale entry; the refresh continues on the pool
        try
        {
            var fresh = new Entry(Task.FromResult(await compute(endMs)), started);
            _entries.TryUpdate(key, fresh, stale);
            return fresh.Task.Result;
        }
        catch
        {
            lock (stale)
            {
                stale.Refresh = null; // the next request tries again
            }
            throw;
        }
    }
}
