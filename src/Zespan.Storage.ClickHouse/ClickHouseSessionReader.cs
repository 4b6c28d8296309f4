using System.Text.Json;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Lists, stats, breakdowns and a detail's summary from session_rows (one row per session, kept by
/// <see cref="SessionRowKeeper"/>); a detail's timeline from its spans' newest versions (<see cref="ClickHouseSql.CurrentInSession"/>).
/// </summary>
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
        // The page from candidates, the thresholds that prove it and the total are independent statements: sent together,
        // a list waits for the slowest, not for all of them. Only when the candidates do not prove the page (a shard whose
        // first row versions are mostly older versions or filtered out) is every session grouped for it.
        var afterCursor = query.After is not null;
        var keyLength = ClickHouseSql.SortKey(query.Sort).Length;
        var candidates = CandidatePage.Candidates(query.Limit + 1);
        parameters["candidates"] = candidates;
        parameters["threshold_at"] = candidates - 1;
        var candidateRows = http.QueryAsync(sql.SessionPageOfCandidates(query.Filter, query.Sort, query.Descending, afterCursor), parameters,
            r => (Row: SpanReading.Session(r), Key: CandidatePage.SortKey.Of(r, SpanReading.SessionColumnCount, keyLength, idAt: 0)), cancellationToken);
        var thresholdRows = http.QueryAsync(sql.CandidateThresholds(query.Filter, query.Sort, query.Descending, afterCursor), parameters,
            r => CandidatePage.SortKey.Of(r, 0, keyLength, idAt: keyLength), cancellationToken);
        var countRows = http.QueryAsync(sql.SessionCount(query.Filter), parameters, r => r[0].Long(), cancellationToken);
        var candidatePage = await candidateRows;
        var items = CandidatePage.Proves(candidatePage, await thresholdRows, query.Limit + 1, query.Descending)
            ? candidatePage.Select(p => p.Row).ToList()
            : await http.QueryAsync(sql.SessionPage(query.Filter, query.Sort, query.Descending, afterCursor), parameters, r => SpanReading.Session(r), cancellationToken);
        string? next = null;
        if (items.Count > query.Limit)
        {
            items.RemoveAt(items.Count - 1);
            next = SessionCursor.Of(items[^1], query.Sort, query.Descending).Encode();
        }
        var count = (await countRows)[0];
        return new Page<SessionSummary>(items, next, count);
    }

    public async Task<SessionDetail?> GetAsync(long projectId, string sessionId, bool withPayloads = true, CancellationToken cancellationToken = default)
    {
        // The summary is the session's row and the threshold it must follow; both are read while the timeline is.
        var rowParameters = new Dictionary<string, object?> { ["project"] = projectId, ["session"] = sessionId };
        var rowRows = http.QueryAsync(sql.SessionRowOfSession, rowParameters, r => (Row: SpanReading.Session(r), IdleGapMs: r[SpanReading.SessionColumnCount].Long()),
            cancellationToken);
        var thresholdRows = http.QueryAsync(sql.AppliedIdleGap, rowParameters, r => r[0].Long(), cancellationToken);
        var (timeline, moved) = await TimelineAsync(projectId, sessionId, cancellationToken);
        var summary = await SummaryAsync(await rowRows, (await thresholdRows)[0], timeline, moved, projectId, sessionId, cancellationToken);
        if (summary is null)
            return null;
        if (withPayloads)
        {
            var payloads = await SpanReading.PayloadsAsync(http, sql, projectId, timeline.Select(e => e.SpanId).ToList(), [sessionId], cancellationToken, moved);
            timeline = timeline.Select(e => payloads.TryGetValue(e.SpanId, out var p) ? e with { InputJson = p.Input, OutputJson = p.Output } : e).ToList();
        }
        return new SessionDetail(summary, timeline);
    }

    /// <summary>
    /// The session's live LLM calls in start order (then span id), each by its newest version: the calls of the session's
    /// own rows (<see cref="ClickHouseSql.SessionTimelineCandidates"/>), less those that another session (or none) holds
    /// in a newer version, moved away by a re-send (<see cref="ClickHouseSql.VersionsOutsideSession"/>), which only the
    /// session's moved spans can be (<see cref="ClickHouseSql.MovedSpanIdsOfSessions"/>, read at the same time as the
    /// candidates). A span moved into the session has its newest version among the session's rows, so it is a candidate.
    /// One round trip when no candidate was ever moved; the moved ids are returned for the payloads' read.
    /// </summary>
    private async Task<(List<TimelineEntry> Calls, List<string> MovedSpanIds)> TimelineAsync(long projectId, string sessionId, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["session"] = sessionId };
        var movedRead = SpanReading.MovedSpanIdsAsync(http, sql, projectId, sessionId, cancellationToken);
        var candidates = await http.QueryAsync(sql.SessionTimelineCandidates, parameters,
            r => (Entry: SpanReading.Timeline(r), Version: r[SpanReading.TimelineColumnCount].ULong()), cancellationToken);
        var moved = await movedRead;
        var movedCandidates = candidates.Select(c => c.Entry.SpanId).Intersect(moved, StringComparer.Ordinal).ToList();
        if (movedCandidates.Count == 0)
            return (candidates.Select(c => c.Entry).ToList(), moved);
        parameters["ids"] = movedCandidates;
        var outside = (await http.QueryAsync(sql.VersionsOutsideSession, parameters, r => (Id: r[0].Text(), Version: r[1].ULong()), cancellationToken))
            .ToDictionary(r => r.Id, r => r.Version, StringComparer.Ordinal);
        // Equal versions (one write naming the span under two sessions) keep it here, as the newest version of all would.
        return (candidates.Where(c => !outside.TryGetValue(c.Entry.SpanId, out var newer) || newer <= c.Version).Select(c => c.Entry).ToList(), moved);
    }

    /// <summary>
    /// The session's row as the writer kept it (every write that returned before this read is in it, see
    /// <see cref="SessionRowKeeper"/>) when it was computed under the project's recorded idle gap threshold and its figures
    /// are those of the timeline's calls; else computed from the spans, as the row would be. So the answer is the span
    /// definition's in every case — a new threshold whose recompute has not finished, a batch whose writer failed after
    /// its INSERT and that was never re-sent (its spans are in the timeline, not in the row) — and null only when that
    /// finds no call.
    /// </summary>
    private async Task<SessionSummary?> SummaryAsync(List<(SessionSummary Row, long IdleGapMs)> row, long idleGapMs, List<TimelineEntry> timeline,
        List<string> movedSpanIds, long projectId, string sessionId, CancellationToken cancellationToken)
    {
        if (row.Count == 1 && row[0].IdleGapMs == idleGapMs && IsOf(row[0].Row, timeline))
            return row[0].Row;
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["session"] = sessionId, ["moved_span_ids"] = movedSpanIds };
        return (await http.QueryAsync(sql.OneSession, parameters, r => SpanReading.Session(r), cancellationToken)).FirstOrDefault();
    }

    /// <summary>Whether a summary's figures are those of the calls (the ones a timeline entry carries: not the user, name or idle time).</summary>
    private static bool IsOf(SessionSummary summary, List<TimelineEntry> calls)
    {
        var figures = new SessionFigures();
        foreach (var c in calls)
            figures.Add(c.SpanId, c.StartMs, c.EndMs, c.CostPico, c.Usage.InputTokens, c.Usage.OutputTokens, c.Status, userId: null, sessionName: null);
        return (summary.Turns, summary.StartedMs, summary.EndedMs, summary.CostPico, summary.UnpricedCalls, summary.InputTokens, summary.OutputTokens,
                summary.ErrorCount, summary.LatencySumMs)
            == (figures.Turns, figures.StartedMs, figures.EndedMs, figures.CostPico, figures.UnpricedCalls, figures.InputTokens, figures.OutputTokens,
                figures.Errors, figures.LatencySumMs);
    }

    public async Task<IReadOnlyDictionary<string, CallPayload>> GetPayloadsAsync(
        long projectId, string sessionId, IReadOnlyCollection<string>? spanIds, bool withInputs, CancellationToken cancellationToken = default)
    {
        List<string>? moved = null;
        if (spanIds is null)
        {
            var (calls, movedSpanIds) = await TimelineAsync(projectId, sessionId, cancellationToken);
            (spanIds, moved) = (calls.Select(e => e.SpanId).ToList(), movedSpanIds);
        }
        var payloads = await SpanReading.PayloadsAsync(http, sql, projectId, spanIds, [sessionId], cancellationToken, moved);
        // Unlike SQLite, the payload query reads both columns anyway; the prompts are dropped here when not asked for.
        return spanIds.Distinct(StringComparer.Ordinal).ToDictionary(id => id, id => payloads.TryGetValue(id, out var p)
            ? new CallPayload(withInputs ? p.Input : null, p.Output)
            : new CallPayload(null, null), StringComparer.Ordinal);
    }

    /// <summary>
    /// The sums in SQL over the session rows, counted on the shards with the priced sessions per cost band; the median and
    /// the 95th percentile then read only the costs of the bands that hold their ranks.
    /// </summary>
    public async Task<SessionStats> StatsAsync(long projectId, SessionFilter filter, CancellationToken cancellationToken = default)
    {
        var parameters = new Dictionary<string, object?> { ["project"] = projectId };
        ClickHouseSql.FilterParameters(filter, parameters);
        var bandRows = http.QueryAsync(sql.PricedCostBands(filter), parameters, r => (Band: r[0].Long(), Count: r[1].Long()), cancellationToken);
        var (sessions, total, priced, pricedTotal, turns, errors, unpriced) = (await http.QueryAsync(sql.SessionStatsSums(filter), parameters,
            r => (r[0].Long(), JsonCell.Cost(r[1], r[2]), r[3].Long(), JsonCell.Cost(r[4], r[5]), r[6].Long(), r[7].Long(), r[8].Long()), cancellationToken))[0];
        var bands = (await bandRows).OrderBy(b => b.Band).ToList();
        // Percentiles' rules over the sorted priced costs, reading only the ranks they need.
        Int128 median = 0, p95 = 0;
        if (priced > 0)
        {
            // A write between the two statements can leave the bands counting other sessions than the sums: then every
            // priced cost is read up to the rank, as the bands' absence would.
            var banded = bands.Sum(b => b.Count) == priced ? bands : null;
            var middle = CostsAtAsync(filter, parameters, banded, priced % 2 == 1 ? priced / 2 : priced / 2 - 1, priced % 2 == 1 ? 1 : 2, cancellationToken);
            var nearest = CostsAtAsync(filter, parameters, banded, Percentiles.NearestRankOf(priced, 0.95) - 1, 1, cancellationToken);
            // Separate statements: a write in between can change the ranks' count, never make a figure other than one of a state.
            var middles = await middle;
            median = middles.Count switch { 0 => 0, 1 => middles[0], _ => Percentiles.MeanOfTwo(middles[0], middles[1]) };
            p95 = (await nearest).FirstOrDefault();
        }
        return new SessionStats(
            sessions,
            total,
            priced == 0 ? 0 : (double)(decimal)pricedTotal / priced,
            median,
            p95,
            sessions == 0 ? 0 : (double)turns / sessions,
            turns,
            errors,
            unpriced,
            priced);
    }

    /// <summary>
    /// The priced costs at 0-based ranks <paramref name="skip"/> to <paramref name="skip"/> + <paramref name="take"/> - 1 in
    /// cost order: from the bands that hold them when <paramref name="bands"/> (ascending, with their counts) are given,
    /// else — or when a write since the bands were counted left a band short — from every priced cost.
    /// </summary>
    private async Task<List<Int128>> CostsAtAsync(SessionFilter filter, Dictionary<string, object?> filterParameters, List<(long Band, long Count)>? bands,
        long skip, long take, CancellationToken cancellationToken)
    {
        if (bands is not null && BandsOf(bands, skip, take) is var (from, to, below))
        {
            var inBands = new Dictionary<string, object?>(filterParameters)
            {
                ["band_from"] = from, ["band_to"] = to, ["skip"] = skip - below, ["take"] = take, ["end"] = skip - below + take,
            };
            var costs = await http.QueryAsync(sql.PricedCostsAtRanks(filter, banded: true), inBands, c => JsonCell.Cost(c[0], c[1]), cancellationToken);
            if (costs.Count == take)
                return costs;
        }
        var parameters = new Dictionary<string, object?>(filterParameters) { ["skip"] = skip, ["take"] = take, ["end"] = skip + take };
        return await http.QueryAsync(sql.PricedCostsAtRanks(filter, banded: false), parameters, c => JsonCell.Cost(c[0], c[1]), cancellationToken);
    }

    /// <summary>The first and last band holding ranks skip to skip + take - 1, and how many costs come before the first.</summary>
    private static (long From, long To, long Below)? BandsOf(List<(long Band, long Count)> bands, long skip, long take)
    {
        long below = 0;
        (long Band, long Below)? first = null;
        foreach (var (band, count) in bands)
        {
            if (first is null && skip < below + count)
                first = (band, below);
            if (first is not null && skip + take - 1 < below + count)
                return (first.Value.Band, band, first.Value.Below);
            below += count;
        }
        return null;
    }

    /// <summary>The groups summed in SQL over the session rows; the top ones chosen here by the one order.</summary>
    public async Task<IReadOnlyList<SessionGroupCost>> BreakdownAsync(long projectId, SessionGrouping grouping, SessionFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        var parameters = new Dictionary<string, object?> { ["project"] = projectId };
        ClickHouseSql.FilterParameters(filter, parameters);
        if (grouping is SessionGrouping.ByMetadata metadata)
            parameters["meta_key"] = metadata.Key;
        // A negative limit means every group; otherwise ClickHouse sends only the first ones, which Top orders again.
        parameters["limit"] = (long)limit;
        var groups = await http.QueryAsync(sql.SessionBreakdown(filter, grouping, top: limit >= 0), parameters,
            g => new SessionGroupCost(g[0].Flag() ? g[1].Text() : null, g[2].Long(), JsonCell.Cost(g[3], g[4]), g[5].Long(), g[6].Long(), g[7].Long()), cancellationToken);
        return BreakdownOrder.Top(groups, limit);
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
