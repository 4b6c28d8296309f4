using Zespan.Core.Spans;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Trends;
using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Sessions with their kind of conversation, and session-grain trends, from the same session rows as the list (with its
/// filters); the kinds are the groups the breakdowns count (<see cref="SessionFact.KindsUnder"/>) and the trend figures
/// are <see cref="SessionTimeseriesBuilder"/>'s.
/// </summary>
public sealed class ClickHouseSessionKindReader(ClickHouseHttp http, ClickHouseSql sql) : ISessionKindReader
{
    private readonly SessionFacts _facts = new(http, sql);

    public async Task<IReadOnlyList<KindedSession>> SessionsAsync(
        long projectId, SessionFilter filter, SessionGrouping? by, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        var facts = await _facts.ReadAsync(projectId, filter, (by as SessionGrouping.ByMetadata)?.Key, cancellationToken, sessionId);
        return facts.SelectMany(f => f.KindsUnder(by).Select(kind => new KindedSession(f.Session, kind))).ToList();
    }

    public async Task<SessionTimeseries> TimeseriesAsync(
        long projectId, SessionFilter filter, SessionGrouping? by, TimeBuckets buckets, int maxKinds, CancellationToken cancellationToken = default)
    {
        var bounded = filter with
        {
            FromMs = Math.Max(filter.FromMs ?? long.MinValue, buckets.FromMs),
            ToMs = Math.Min(filter.ToMs ?? long.MaxValue, buckets.ToMs),
        };
        var builder = new SessionTimeseriesBuilder(buckets);
        foreach (var f in await _facts.ReadAsync(projectId, bounded, (by as SessionGrouping.ByMetadata)?.Key, cancellationToken))
        {
            var s = f.Session;
            foreach (var kind in f.KindsUnder(by))
                builder.Add(kind, s.StartedMs, s.CostPico, priced: s.UnpricedCalls < s.Turns, s.Turns, errored: s.HasErrors);
        }
        return builder.Build(by, maxKinds);
    }
}

/// <summary>The overview charts: the matching sessions into <see cref="SessionOverview.Of"/>, the one definition.</summary>
public sealed class ClickHouseSessionOverviewReader(ClickHouseHttp http, ClickHouseSql sql) : ISessionOverviewReader
{
    private readonly SessionFacts _facts = new(http, sql);

    public async Task<SessionOverview> OverviewAsync(long projectId, SessionFilter filter, CancellationToken cancellationToken = default)
    {
        var facts = await _facts.ReadAsync(projectId, filter, null, cancellationToken);
        return SessionOverview.Of(facts.Select(f => (f.Session.StartedMs, f.Session.CostUnknown ? (Int128?)null : f.Session.CostPico, f.Session.Turns)));
    }
}
