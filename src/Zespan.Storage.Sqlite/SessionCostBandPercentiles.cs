using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Trends;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The exact median and p95 of session cost over a range of whole UTC days, from the priced sessions' daily cost bands
/// (session_cost_bands_daily, migration 140, kept by the writer's deltas): the range's band counts locate the band
/// holding each wanted rank, and only that band's costs of the range are walked to the rank (counts of equal costs,
/// <see cref="KindBandWalk.WholeProject"/>) — the same rule as a trend bucket's (<see cref="DailyTrendRollup.BucketAsync"/>), over one bucket the size of
/// the range. Why: the cost-index walk (<see cref="SessionCostPercentiles"/>) reads a session row per entry it passes,
/// half a month's sessions for the median of the costs page's default 30 days (2.2 s of CPU at 1 M sessions).
/// </summary>
internal static class SessionCostBandPercentiles
{
    /// <summary>The bands are keyed by start day and band only: no status, turns, user or text dimension.</summary>
    public const SessionDimensions Supported = SessionDimensions.Time;

    /// <summary>A start range alone whose set ends are UTC midnights (the costs page's day-sized presets), so no day is partial.</summary>
    public static bool Covers(SessionFilter filter) =>
        Supported.Supports(filter) && OnMidnight(filter.FromMs) && OnMidnight(filter.ToMs);

    private static bool OnMidnight(long? ms) => ms is not { } at || at % TimeBuckets.DayMs == 0;

    /// <summary>(0, 0) when no session of the range is priced, as <see cref="SessionCostPercentiles.WalkAsync"/>.</summary>
    public static async Task<(long Median, long P95)> ReadAsync(SqliteConnection connection, long projectId, SessionFilter filter, CancellationToken cancellationToken)
    {
        if (!Covers(filter))
            throw new ArgumentException($"The cost bands hold whole days of {Supported} only; got {filter}.", nameof(filter));
        var (from, to) = (filter.FromMs ?? long.MinValue, filter.ToMs ?? long.MaxValue);
        // One read snapshot: the band counts and the band's sessions agree even while spans are written.
        using var snapshot = connection.BeginTransaction(deferred: true);
        var figures = new DailyTrendRollup.BucketFigures();
        await using (var counts = connection.Command("""
            SELECT cost_band, SUM(sessions) FROM session_cost_bands_daily
            WHERE project_id = $p AND day >= $from AND day < $to GROUP BY cost_band
            """, snapshot))
        {
            counts.With("$p", projectId).With("$from", from).With("$to", to);
            await using var reader = await counts.ExecuteReaderAsync(cancellationToken);
            while (reader.Read())
            {
                figures.AddBand(reader.GetInt64(0), reader.GetInt64(1));
                figures.Priced += reader.GetInt64(1);
            }
        }
        // One day keeps the walk's rows in key (cost) order; a longer range has SQLite order the band's rows of its days.
        var oneDay = filter.FromMs is { } f && filter.ToMs is { } t && t - f == TimeBuckets.DayMs;
        using var band = KindBandWalk.WholeProject(connection, projectId, oneDay ? TimeBuckets.DayMs : 0);
        var bucket = await DailyTrendRollup.BucketAsync(from, figures, (value, sessions, ranks) =>
            Task.FromResult(band.CostsAt(value, from, to, sessions, ranks)));
        snapshot.Commit();
        return ((long)(bucket.MedianCostPico ?? 0), (long)(bucket.P95CostPico ?? 0));
    }
}
