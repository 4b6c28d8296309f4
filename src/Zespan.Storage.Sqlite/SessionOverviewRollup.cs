using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Trends;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The overview charts of the whole project, or of whole UTC days of it, from the rollups the trends read (issue 19)
/// instead of every session: sessions and the turns histogram per day from session_rollup_hourly, the exact median and
/// p95 cost per day from the cost bands (<see cref="DailyTrendRollup.BucketAsync"/>, which reads only the band holding
/// each rank). Why: the overview read four integers of every matching session, 1.0 s of CPU at a million (issue 18).
/// Same definitions as <see cref="SessionOverview.Of"/>; SessionOverviewRollupTests checks the two agree.
/// </summary>
internal static class SessionOverviewRollup
{
    /// <summary>
    /// Only no filter but a start range of whole UTC days: the rollups hold no user, status, turns, active-time or text
    /// dimension, and their cost bands are per day (fail closed: anything else is read from the sessions).
    /// </summary>
    public static bool Covers(SessionFilter filter) =>
        DailyTrendRollup.Supported.Supports(filter) && WholeDay(filter.FromMs) && WholeDay(filter.ToMs);

    private static bool WholeDay(long? ms) => ms is not { } at || at % SessionOverview.DayMs == 0;

    public static async Task<SessionOverview> ReadAsync(SqliteConnection connection, long projectId, SessionFilter filter, CancellationToken cancellationToken)
    {
        if (!Covers(filter))
            throw new ArgumentException($"The overview rollup holds whole days only, not {filter.ActiveDimensions & ~DailyTrendRollup.Supported}.", nameof(filter));
        // One read transaction: the range, the rollups and the band reads come from the same snapshot while spans are written.
        using var snapshot = connection.BeginTransaction(deferred: true);
        if (await RangeAsync(snapshot, projectId, filter, cancellationToken) is not { } buckets)
            return SessionOverview.Of([]);
        var figures = await DailyTrendRollup.ReadHourlyAsync(snapshot, projectId, buckets, cancellationToken);
        await DailyTrendRollup.ReadBandsAsync(snapshot, projectId, buckets, figures, cancellationToken);
        await using var band = BandCosts.WholeProject(snapshot, projectId);

        var days = new List<SessionDay>();
        var turns = new long[SessionOverview.TurnRanges.Count];
        for (var i = 0; i < figures.Length; i++)
        {
            if (figures[i].Sessions == 0)
                continue; // as SessionOverview.Of: only the days some session started on
            var start = buckets.StartOf(i);
            var day = await DailyTrendRollup.BucketAsync(start, figures[i], bandValue => band.ReadAsync(bandValue, start, start + SessionOverview.DayMs, cancellationToken));
            days.Add(new SessionDay(start, day.Sessions, day.PricedSessions, day.MedianCostPico, day.P95CostPico));
            foreach (var (turnCount, sessions) in figures[i].Turns)
                turns[SessionOverview.BucketOf(turnCount)] += sessions;
        }
        snapshot.Commit();
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
