using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Trends;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The overview charts of the whole project or a start range of it, its whole UTC days from the rollups the trends read (issue 19)
/// instead of every session: sessions and the turns histogram per day from session_rollup_hourly, the exact median and
/// p95 cost per day from the cost bands (<see cref="DailyTrendRollup.BucketAsync"/>, which reads only the band holding
/// each rank). Why: the overview read four integers of every matching session, 1.0 s of CPU at a million (issue 18).
/// Same definitions as <see cref="SessionOverview.Of"/>; SessionOverviewRollupTests checks the two agree.
/// </summary>
internal static class SessionOverviewRollup
{
    /// <summary>
    /// Only no filter but a start range: the rollups hold no user, status, turns, active-time or text dimension (fail
    /// closed: anything else is read from the sessions). The cost bands are per UTC day, so the whole days of the range
    /// come from the rollups and a partial day at either end (a "last 7 days" range starts at the current time of day)
    /// from its own sessions: each day is then one or the other, never both.
    /// </summary>
    public static bool Covers(SessionFilter filter) => DailyTrendRollup.Supported.Supports(filter);

    public static async Task<SessionOverview> ReadAsync(SqliteConnection connection, long projectId, SessionFilter filter, CancellationToken cancellationToken)
    {
        if (!Covers(filter))
            throw new ArgumentException($"The overview rollup holds a start range only, not {filter.ActiveDimensions & ~DailyTrendRollup.Supported}.", nameof(filter));
        const long day = SessionOverview.DayMs;
        long? wholeFrom = filter.FromMs is { } f ? f + ((day - ((f % day) + day) % day) % day) : null; // the first whole day
        long? wholeTo = filter.ToMs is { } t ? t - (((t % day) + day) % day) : null; // the end of the last whole day
        // One read transaction: the range, the rollups, the band reads and the partial days from the same snapshot.
        using var snapshot = connection.BeginTransaction(deferred: true);
        if (wholeFrom >= wholeTo)
            return await SqliteSessionOverviewReader.ReadSessionsAsync(connection, projectId, filter, cancellationToken, snapshot, withinBound: true); // within one day
        var parts = new List<SessionOverview> { await ReadWholeDaysAsync(snapshot, projectId, new SessionFilter { FromMs = wholeFrom, ToMs = wholeTo }, cancellationToken) };
        if (filter.FromMs != wholeFrom)
            parts.Add(await SqliteSessionOverviewReader.ReadSessionsAsync(connection, projectId, new SessionFilter { FromMs = filter.FromMs, ToMs = wholeFrom }, cancellationToken, snapshot, withinBound: true));
        if (filter.ToMs != wholeTo)
            parts.Add(await SqliteSessionOverviewReader.ReadSessionsAsync(connection, projectId, new SessionFilter { FromMs = wholeTo, ToMs = filter.ToMs }, cancellationToken, snapshot, withinBound: true));
        snapshot.Commit();
        return new SessionOverview(
            parts.SelectMany(p => p.Days).OrderBy(d => d.DayMs).ToList(),
            SessionOverview.TurnRanges.Select((r, i) => new TurnBucket(r.Min, r.Max, parts.Sum(p => p.Turns[i].Sessions))).ToList());
    }

    /// <summary>The overview of the sessions started in whole UTC days (filter: at most a range of whole days), from the rollups.</summary>
    private static async Task<SessionOverview> ReadWholeDaysAsync(SqliteTransaction snapshot, long projectId, SessionFilter filter, CancellationToken cancellationToken)
    {
        if (await RangeAsync(snapshot, projectId, filter, cancellationToken) is not { } buckets)
            return SessionOverview.Of([]);
        var figures = await DailyTrendRollup.ReadHourlyAsync(snapshot, projectId, buckets, cancellationToken);
        await DailyTrendRollup.ReadBandsAsync(snapshot, projectId, buckets, figures, cancellationToken);
        using var band = KindBandWalk.WholeProject(snapshot.Connection!, projectId, SessionOverview.DayMs);

        var days = new List<SessionDay>();
        var turns = new long[SessionOverview.TurnRanges.Count];
        for (var i = 0; i < figures.Length; i++)
        {
            if (figures[i].Sessions == 0)
                continue; // as SessionOverview.Of: only the days some session started on
            var start = buckets.StartOf(i);
            var day = await DailyTrendRollup.BucketAsync(start, figures[i], (bandValue, bandSessions, ranks) =>
                Task.FromResult(band.CostsAt(bandValue, start, start + SessionOverview.DayMs, bandSessions, ranks)));
            days.Add(new SessionDay(start, day.Sessions, day.PricedSessions, day.MedianCostPico, day.P95CostPico));
            foreach (var (turnCount, sessions) in figures[i].Turns)
                turns[SessionOverview.BucketOf(turnCount)] += sessions;
        }
        return new SessionOverview(days, SessionOverview.TurnRanges.Select((r, i) => new TurnBucket(r.Min, r.Max, turns[i])).ToList());
    }

    /// <summary>The days of the filter's range, an open end closed at the first or last hour the project has sessions in; null when none.</summary>
    private static async Task<TimeBuckets?> RangeAsync(SqliteTransaction snapshot, long projectId, SessionFilter filter, CancellationToken cancellationToken)
    {
        await using var command = snapshot.Connection!.Command(
            "SELECT min(hour), max(hour) FROM session_rollup_hourly WHERE project_id = $p AND sessions <> 0 AND hour >= $from AND hour < $to", snapshot)
            .With("$p", projectId).With("$from", filter.FromMs ?? long.MinValue).With("$to", filter.ToMs ?? long.MaxValue);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!reader.Read() || reader.IsDBNull(0))
            return null;
        return TimeBuckets.Covering(BucketSize.Day, reader.GetInt64(0), reader.GetInt64(1) + 1);
    }
}
