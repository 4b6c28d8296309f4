using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>Sessions computed from each span's newest version at read time (see <see cref="ClickHouseSql.Sessions"/>).</summary>
public sealed class ClickHouseSessionReader(ClickHouseHttp http, ClickHouseSql sql) : ISessionReader
{
    private readonly SessionFacts _facts = new(http, sql);

    public async Task<Page<SessionSummary>> ListAsync(long projectId, SessionQuery query, CancellationToken cancellationToken = default)
    {
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["limit"] = (long)query.Limit + 1 };
        ClickHouseSql.FilterParameters(query.Filter, parameters);
        if (query.After is { } after)
        {
            if (query.Sort == SessionSort.CostUsd)
            {
                // The exact cost as the sort key's (whole dollars, picodollar rest); an unknown cost sorts apart.
                var cost = after.Value == SessionCursor.UnknownCost ? 0 : after.Value;
                parameters["after_unknown"] = after.Value == SessionCursor.UnknownCost ? 1L : 0L;
                parameters["after_value"] = Money.Clamp64(cost / Money.PicoPerUsd);
                parameters["after_pico"] = (long)(cost % Money.PicoPerUsd);
            }
            else
            {
                parameters["after_value"] = after.SortValue;
            }
            parameters["after_id"] = after.SessionId;
        }
        // The page and the total are independent statements: sent together, a list waits for the slower, not for both.
        var pageRows = http.QueryAsync(sql.SessionPage(query.Filter, query.Sort, query.Descending, query.After is not null), parameters, cancellationToken);
        var countRows = http.QueryAsync(sql.SessionCount(query.Filter), parameters, cancellationToken);
        var items = (await pageRows).Select(r => SpanReading.Session(r)).ToList();
        string? next = null;
        if (items.Count > query.Limit)
        {
            items.RemoveAt(items.Count - 1);
            next = SessionCursor.Of(items[^1], query.Sort, query.Descending).Encode();
        }
        var count = (await countRows)[0][0].Long();
        return new Page<SessionSummary>(items, next, count);
    }

    public async Task<SessionDetail?> GetAsync(long projectId, string sessionId, bool withPayloads = true, CancellationToken cancellationToken = default)
    {
        var parameters = await SpanReading.SessionParametersAsync(http, sql, projectId, sessionId, cancellationToken);
        // The summary and the timeline are independent statements: sent together, a detail waits for the slower, not for both.
        var summaryRows = http.QueryAsync(sql.OneSession, parameters, cancellationToken);
        var timelineRows = http.QueryAsync(sql.SessionTimeline, parameters, cancellationToken);
        var summary = (await summaryRows).Select(r => SpanReading.Session(r)).FirstOrDefault();
        var spans = (await timelineRows).Select(SpanReading.Span).ToList();
        if (summary is null)
            return null;
        var payloads = withPayloads
            ? await SpanReading.PayloadsAsync(http, sql, projectId, spans.Select(s => s.Id).ToList(), [sessionId], cancellationToken)
            : [];
        var timeline = spans.Select(s =>
        {
            payloads.TryGetValue(s.Id, out var p);
            return new TimelineEntry(s.Id, s.TraceId, s.Name, s.Model, s.StartMs, s.EndMs, s.Usage, s.CostPico, s.Status, s.Error, p?.Input, p?.Output, s.UsageReported);
        }).ToList();
        return new SessionDetail(summary, timeline);
    }

    public async Task<IReadOnlyDictionary<string, CallPayload>> GetPayloadsAsync(
        long projectId, string sessionId, IReadOnlyCollection<string>? spanIds, bool withInputs, CancellationToken cancellationToken = default)
    {
        if (spanIds is null)
        {
            var parameters = await SpanReading.SessionParametersAsync(http, sql, projectId, sessionId, cancellationToken);
            spanIds = (await http.QueryAsync(sql.SessionTimeline, parameters, cancellationToken)).Select(SpanReading.Span).Select(s => s.Id).ToList();
        }
        var payloads = await SpanReading.PayloadsAsync(http, sql, projectId, spanIds, [sessionId], cancellationToken);
        // Unlike SQLite, the payload query reads both columns anyway; the prompts are dropped here when not asked for.
        return spanIds.Distinct(StringComparer.Ordinal).ToDictionary(id => id, id => payloads.TryGetValue(id, out var p)
            ? new CallPayload(withInputs ? p.Input : null, p.Output)
            : new CallPayload(null, null), StringComparer.Ordinal);
    }

    public async Task<SessionStats> StatsAsync(long projectId, SessionFilter filter, CancellationToken cancellationToken = default)
    {
        var sessions = (await _facts.ReadAsync(projectId, filter, null, cancellationToken)).Select(f => f.Session).ToList();
        var priced = sessions.Where(s => !s.CostUnknown).Select(s => s.CostPico).Order().ToList();
        Int128 total = 0;
        foreach (var s in sessions)
            total += s.CostPico;
        long turns = sessions.Sum(s => (long)s.Turns);
        return new SessionStats(
            sessions.Count,
            total,
            priced.Count == 0 ? 0 : (double)priced.Sum(c => (decimal)c) / priced.Count,
            Percentiles.Median((IReadOnlyList<Int128>)priced),
            Percentiles.NearestRank((IReadOnlyList<Int128>)priced, 0.95),
            sessions.Count == 0 ? 0 : (double)turns / sessions.Count,
            turns,
            sessions.Count(s => s.HasErrors),
            sessions.Sum(s => (long)s.UnpricedCalls),
            priced.Count);
    }

    public async Task<IReadOnlyList<SessionGroupCost>> BreakdownAsync(long projectId, SessionGrouping grouping, SessionFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        var facts = await _facts.ReadAsync(projectId, filter, (grouping as SessionGrouping.ByMetadata)?.Key, cancellationToken);
        var groups = new Dictionary<string, SessionGroupCost>(StringComparer.Ordinal);
        SessionGroupCost? none = null;
        foreach (var f in facts)
        {
            foreach (var key in f.KindsUnder(grouping))
            {
                var current = (key is null ? none : groups.GetValueOrDefault(key)) ?? new SessionGroupCost(key, 0, 0, 0, 0, 0);
                current = current with
                {
                    Sessions = current.Sessions + 1,
                    TotalCostPico = current.TotalCostPico + f.Session.CostPico,
                    Turns = current.Turns + f.Session.Turns,
                    TotalTokens = current.TotalTokens + f.Session.TotalTokens,
                    UnpricedSessions = current.UnpricedSessions + (f.Session.CostUnknown ? 1 : 0),
                };
                if (key is null) none = current; else groups[key] = current;
            }
        }
        return BreakdownOrder.Top(none is null ? groups.Values : groups.Values.Append(none), limit);
    }

    public async Task<IReadOnlyList<TokenOutlier>> TokenOutliersAsync(long projectId, SessionFilter filter, double minRatio, int limit, CancellationToken cancellationToken = default)
    {
        var sessions = (await _facts.ReadAsync(projectId, filter, null, cancellationToken)).Select(f => f.Session).ToList();
        if (sessions.Count == 0)
            return [];
        var perTurn = sessions.Select(s => (double)s.TotalTokens / s.Turns).Order().ToList();
        var median = perTurn.Count % 2 == 1 ? perTurn[perTurn.Count / 2] : (perTurn[perTurn.Count / 2 - 1] + perTurn[perTurn.Count / 2]) / 2;
        if (median <= 0)
            return [];
        return sessions
            .Select(s => new TokenOutlier(s, (double)s.TotalTokens / s.Turns, median))
            .Where(o => o.Ratio >= minRatio)
            .OrderByDescending(o => o.Ratio).ThenBy(o => o.Session.SessionId, CodePointOrder.Instance)
            .Take(limit)
            .ToList();
    }
}
