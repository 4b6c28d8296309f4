using Zespan.Core.Sessions;
using Zespan.Server.Sessions;
using Zespan.Storage.Sqlite;

namespace Zespan.Server.Tests;

/// <summary>
/// The idle gap threshold is remembered per project between sessions requests; a change made on this server applies at
/// once, a change made on another server sharing the control plane within <see cref="SessionActivitySync.Lifetime"/>.
/// Real SQLite stores: one control plane (the settings), two telemetry stores (one per server).
/// </summary>
public sealed class SessionActivitySyncCacheTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("zespan-sync-").FullName;

    [Fact]
    public async Task AChangeHereAppliesAtOnce_AChangeElsewhereWithinTheLifetime()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-12-02T04:00:00Z"));
        var controlPlane = new SqliteStorage(Path.Combine(_folder, "control.db"), clock);
        var telemetryA = new SqliteStorage(Path.Combine(_folder, "a.db"), clock);
        var telemetryB = new SqliteStorage(Path.Combine(_folder, "b.db"), clock);
        foreach (var storage in new[] { controlPlane, telemetryA, telemetryB })
            await storage.Database.MigrateAsync();
        var serverA = new SessionActivitySync(controlPlane.SessionSettings, telemetryA.SessionActivity, clock);
        var serverB = new SessionActivitySync(controlPlane.SessionSettings, telemetryB.SessionActivity, clock);
        const long projectId = 7;

        Assert.Equal(SessionActivity.DefaultIdleGapMs, await serverA.EnsureAsync(projectId, default));
        Assert.Equal(SessionActivity.DefaultIdleGapMs, await serverB.EnsureAsync(projectId, default));

        // Server A changes the setting (as PUT /api/v1/settings/sessions does): A follows it at once.
        await controlPlane.SessionSettings.SetAsync(projectId, new ProjectSessionSettings(60_000));
        Assert.Equal(60_000, await serverA.EnsureAsync(projectId, default, fresh: true));
        Assert.Equal(60_000, await serverA.EnsureAsync(projectId, default));
        Assert.Equal((60_000, true), await telemetryA.SessionActivity.AppliedIdleGapAsync(projectId));

        // Server B answers from memory (no query) until its remembered answer expires, then reads and applies it.
        clock.Advance(SessionActivitySync.Lifetime - TimeSpan.FromSeconds(1));
        Assert.Equal(SessionActivity.DefaultIdleGapMs, await serverB.EnsureAsync(projectId, default));
        Assert.Equal((SessionActivity.DefaultIdleGapMs, true), await telemetryB.SessionActivity.AppliedIdleGapAsync(projectId));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(60_000, await serverB.EnsureAsync(projectId, default));
        Assert.Equal((60_000, true), await telemetryB.SessionActivity.AppliedIdleGapAsync(projectId));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
