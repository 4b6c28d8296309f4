using Zespan.Core;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Anomalies;
using Zespan.Core.Sessions.Trends;
using Zespan.Core.Storage;
using Zespan.Storage.Sqlite;

namespace Zespan.Bench;

/// <summary>
/// Every query the /costs page issues for its default view (range 30d, grouped by tag), in the page's order and with its
/// range: whole days to the midnight after "now", 31 of them (CostsPage.razor, OnInitializedAsync). "Now" is the last
/// millisecond of the loaded data, so the anomalies' seven days to now hold sessions.
/// </summary>
public sealed class CostsPageQueries
{
    private const long DayMs = 86_400_000L;
    private readonly long _now;

    public CostsPageQueries(SqliteStorage storage, long dataEndMs)
    {
        _now = dataEndMs - 1;
        var to = (_now / DayMs + 1) * DayMs;
        var from = to - 30 * DayMs - DayMs;
        Range = new TimeRange(from, to);
        Filter = new SessionFilter { FromMs = from, ToMs = to };
        Buckets = new TimeBuckets(BucketSize.Day, from, to);
        Costs = storage.Costs;
        Detector = BenchDetector.Create(storage.SessionKinds);
    }

    public TimeRange Range { get; }
    public SessionFilter Filter { get; }
    public TimeBuckets Buckets { get; }
    public ICostReader Costs { get; }
    public AnomalyDetector Detector { get; }

    /// <summary>The page's eight reads, one after the other as the page awaits them.</summary>
    public async Task<string> RunAsync(SqliteStorage storage)
    {
        var sessions = storage.Sessions;
        var models = await Costs.ByModelAsync(1, Range);
        await Costs.OverTimeAsync(1, Range, DayMs);
        var stats = await sessions.StatsAsync(1, Filter);
        await sessions.ListAsync(1, new SessionQuery { Filter = Filter, Sort = SessionSort.CostUsd, Limit = 10 });
        await sessions.BreakdownAsync(1, new SessionGrouping.ByTag(), Filter, 20);
        await sessions.TokenOutliersAsync(1, Filter, 3, 10);
        await storage.SessionKinds.TimeseriesAsync(1, Filter, null, Buckets, 1);
        var anomalies = await Detector.FindAsync(1, new AnomalyQuery { Filter = new SessionFilter { ToMs = _now }, Limit = 10 });
        return $"{models.Count} models, {stats.Sessions:N0} sessions, median {stats.MedianCostPico:N0} p95 {stats.P95CostPico:N0} pico, {anomalies.SessionsJudged:N0} judged";
    }
}
