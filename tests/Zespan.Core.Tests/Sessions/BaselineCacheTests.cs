using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Anomalies;

namespace Zespan.Core.Tests.Sessions;

/// <summary>How stale a remembered baseline can be: fresh for a minute, then answered while one refresh runs, ten minutes at most.</summary>
public sealed class BaselineCacheTests
{
    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2026-12-02T04:00:00Z"));
    private readonly List<long> _computedFor = [];

    private Task<BaselineCache.Computed> Compute(long endMs)
    {
        lock (_computedFor)
            _computedFor.Add(endMs);
        return Task.FromResult(new BaselineCache.Computed(endMs, []));
    }

    private long Now => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    [Fact]
    public async Task LiveWindow_IsReusedForAMinute_ThenRefreshedInTheBackground_ThenRecomputedAfterTenMinutes()
    {
        var cache = new BaselineCache(_clock);
        var first = await cache.GetAsync(1, null, AnomalyQuery.DefaultWindow, null, Compute);
        Assert.Equal(Now, first.WindowEndMs);

        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Same(first, await cache.GetAsync(1, null, AnomalyQuery.DefaultWindow, Now, Compute)); // "to" = now: live
        Assert.Single(_computedFor);

        _clock.Advance(TimeSpan.FromSeconds(2)); // stale: answered, and one refresh starts
        Assert.Same(first, await cache.GetAsync(1, null, AnomalyQuery.DefaultWindow, null, Compute));
        var refreshed = first;
        for (var i = 0; i < 300 && refreshed.WindowEndMs != Now; i++)
        {
            await Task.Delay(10);
            refreshed = await cache.GetAsync(1, null, AnomalyQuery.DefaultWindow, null, Compute);
        }
        Assert.Equal(Now, refreshed.WindowEndMs);
        Assert.Equal(2, _computedFor.Count);

        _clock.Advance(BaselineCache.UsableFor); // too old to answer: computed inline
        Assert.Equal(Now, (await cache.GetAsync(1, null, AnomalyQuery.DefaultWindow, null, Compute)).WindowEndMs);
        Assert.Equal(3, _computedFor.Count);
    }

    [Fact]
    public async Task ProjectsGroupingsAndPastEnds_AreKeptApart()
    {
        var cache = new BaselineCache(_clock);
        var past = Now - 3 * 86_400_000L;
        await cache.GetAsync(1, null, AnomalyQuery.DefaultWindow, null, Compute);
        await cache.GetAsync(2, null, AnomalyQuery.DefaultWindow, null, Compute);
        await cache.GetAsync(1, new SessionGrouping.ByTag(), AnomalyQuery.DefaultWindow, null, Compute);
        Assert.Equal(past, (await cache.GetAsync(1, null, AnomalyQuery.DefaultWindow, past, Compute)).WindowEndMs);
        Assert.Equal(past, (await cache.GetAsync(1, null, AnomalyQuery.DefaultWindow, past, Compute)).WindowEndMs);
        Assert.Equal(4, _computedFor.Count);

        _clock.Advance(TimeSpan.FromMinutes(2)); // a past window is recomputed (late spans), never answered stale
        await cache.GetAsync(1, null, AnomalyQuery.DefaultWindow, past, Compute);
        Assert.Equal(5, _computedFor.Count);
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
