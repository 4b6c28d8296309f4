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
        var (calls, moved) = await TimelineAsync(projectId, sessionId, withPayloads, cancellationToken);
        var timeline = calls.Select(c => c.Entry).ToList();
        // Content sent separately is read, at the same time as the summary, only for the calls without their own.
        var payloadsRead = withPayloads ? CallPayloadsAsync(projectId, calls, cancellationToken) : null;
        var summary = await SummaryAsync(await rowRows, (await thresholdRows)[0], timeline, moved, projectId, sessionId, cancellationToken);
        if (summary is null)
            return null;
        if (payloadsRead is not null)
        {
            var payloads = await payloadsRead;
            timeline = timeline.Select(e => e with { InputJson = payloads[e.SpanId].Input, OutputJson = payloads[e.SpanId].Output }).ToList();
        }
        return new SessionDetail(summary, timeline);
    }

    /// <summary>
    /// Each call's payloads: its own (read with the timeline), each missing input or output filled from content sent
    /// separately, which is read only for the calls that lack one.
    /// </summary>
    private async Task<Dictionary<string, SpanReading.Payload>> CallPayloadsAsync(long projectId, List<(TimelineEntry Entry, SpanReading.Payload? Own)> calls,
        CancellationToken cancellationToken)
    {
        var content = await SpanReading.ContentAsync(http, sql, projectId, calls.Where(c => c.Own!.LacksAny).Select(c => c.Entry.SpanId).ToList(), cancellationToken);
        return calls.ToDictionary(c => c.Entry.SpanId,
            c => content.TryGetValue(c.Entry.SpanId, out var k) ? SpanReading.Payload.Of(c.Own!, k.Input, k.Output) : c.Own!, StringComparer.Ordinal);
    }

    /// <summary>
    /// The session's live LLM calls in start order (then span id), each by its newest version: the calls of the session's
    /// own rows (<see cref="ClickHouseSql.SessionTimelineCandidates"/>), less those that another session (or none) holds
    /// in a newer version, moved away by a re-send (<see cref="ClickHouseSql.VersionsOutsideSession"/>), which only the
    /// session's moved spans can be (<see cref="ClickHouseSql.MovedSpanIdsOfSessions"/>, read at the same time as the
    /// candidates). A span moved into the session has its newest version among the session's rows, so it is a candidate.
    /// One round trip when no candidate was ever moved; the moved ids are returned for the summary's recompute. With
    /// <paramref name="withPayloads"/>, each call comes with its own payloads of the version kept (else Own is null).
    /// </summary>
    private async Task<(List<(TimelineEntry Entry, SpanReading.Payload? Own)> Calls, List<string> MovedSpanIds)> TimelineAsync(
        long projectId, string sessionId, bool withPayloads, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["session"] = sessionId };
        var movedRead = SpanReading.MovedSpanIdsAsync(http, sql, projectId, sessionId, cancellationToken);
        var candidates = await http.QueryAsync(sql.SessionTimelineCandidates(withPayloads), parameters,
            r => (Entry: SpanReading.Timeline(r), Own: withPayloads ? SpanReading.OwnPayload(r, SpanReading.TimelineColumnCount + 1) : null,
                Version: r[SpanReading.TimelineColumnCount].ULong()), cancellationToken);
        var moved = await movedRead;
        var movedCandidates = candidates.Select(c => c.Entry.SpanId).Intersect(moved, StringComparer.Ordinal).ToList();
        if (movedCandidates.Count == 0)
            return (candidates.Select(c => (c.Entry, c.Own)).ToList(), moved);
        parameters["ids"] = movedCandidates;
        var outside = (await http.QueryAsync(sql.VersionsOutsideSession, parameters, r => (Id: r[0].Text(), Version: r[1].ULong()), cancellationToken))
            .ToDictionary(r => r.Id, r => r.Version, StringComparer.Ordinal);
        // Equal versions (one write naming the span under two sessions) keep it here, as the newest version of all would.
        return (candidates.Where(c => !outside.TryGetValue(c.Entry.SpanId, out var newer) || newer <= c.Version).Select(c => (c.Entry, c.Own)).ToList(), moved);
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
        Dictionary<string, SpanReading.Payload> payloads;
        if (spanIds is null)
        {
            // Every call of the session: their own payloads come with the timeline, as in the detail.
            var (calls, _) = await TimelineAsync(projectId, sessionId, withPayloads: true, cancellationToken);
            payloads = await CallPayloadsAsync(projectId, calls, cancellationToken);
            spanIds = payloads.Keys;
        }
        else
        {
            payloads = await SpanReading.PayloadsAsync(http, sql, projectId, spanIds, [sessionId], cancellationToken);
        }
        // Unlike SQLite, the payload query reads both columns anyway; the prompts are dropped here when not asked for.
        return spanIds.Distinct(StringComparer.Ordinal).ToDictionary(id => id, id => payloads.TryGetValue(id, out var p)
            ? new CallPayload(withInputs ? p.Input : null, p.Output)
            : new CallPayload(null, null), StringComparer.Ordinal);
    }

    /// <summary>
    /// The sums in SQL over the session rows, per cost band and on the shards (<see cref="ClickHouseSql.SessionStatsByBand"/>);
    /// the median and the 95th percentile then read only the costs of the bands that hold their ranks.
    /// </summary>
    public async Task<SessionStats> StatsAsync(long projectId, SessionFilter filter, CancellationToken cancellationToken = default)
    {
        var parameters = new Dictionary<string, object?> { ["project"] = projectId };
        ClickHouseSql.FilterParameters(filter, parameters);
        var bands = (await http.QueryAsync(sql.SessionStatsByBand(filter), parameters,
                r => (Band: r[0].Long(), Sessions: r[1].Long(), Cost: JsonCell.Cost(r[2], r[3]), Turns: r[4].Long(), Errors: r[5].Long(), Unpriced: r[6].Long()),
                cancellationToken))
            .OrderBy(b => b.Band).ToList();
        var pricedBands = bands.Where(b => b.Band >= 0).Select(b => (b.Band, Count: b.Sessions)).ToList();
        var sessions = bands.Sum(b => b.Sessions);
        var priced = pricedBands.Sum(b => b.Count);
        Int128 total = 0, pricedTotal = 0;
        foreach (var band in bands)
        {
            total += band.Cost;
            if (band.Band >= 0)
                pricedTotal += band.Cost;
        }
        // Percentiles' rules over the sorted priced costs, reading only the ranks they need.
        Int128 median = 0, p95 = 0;
        if (priced > 0)
        {
            var middle = (Skip: priced % 2 == 1 ? priced / 2 : priced / 2 - 1, Take: priced % 2 == 1 ? 1L : 2L);
            var nearest = (Skip: Percentiles.NearestRankOf(priced, 0.95) - 1, Take: 1L);
            var (middles, nearests) = await CostsAtAsync(filter, parameters, pricedBands, middle, nearest, cancellationToken);
            median = middles.Count switch { 0 => 0, 1 => middles[0], _ => Percentiles.MeanOfTwo(middles[0], middles[1]) };
            p95 = nearests.FirstOrDefault();
        }
        var turns = bands.Sum(b => b.Turns);
        return new SessionStats(
            sessions,
            total,
            priced == 0 ? 0 : (double)(decimal)pricedTotal / priced,
            median,
            p95,
            sessions == 0 ? 0 : (double)turns / sessions,
            turns,
            bands.Sum(b => b.Errors),
            bands.Sum(b => b.Unpriced),
            priced);
    }

    /// <summary>
    /// The priced costs at two runs of 0-based ranks in cost order, from the bands that hold them (<paramref name="bands"/>:
    /// ascending, with their counts) in one statement; when a write since the bands were counted left a band short, each
    /// run is read from every priced cost up to its rank instead.
    /// </summary>
    private async Task<(List<Int128> First, List<Int128> Second)> CostsAtAsync(SessionFilter filter, Dictionary<string, object?> filterParameters,
        List<(long Band, long Count)> bands, (long Skip, long Take) first, (long Skip, long Take) second, CancellationToken cancellationToken)
    {
        if (BandsOf(bands, first) is { } one && BandsOf(bands, second) is { } two)
        {
            var parameters = new Dictionary<string, object?>(filterParameters)
            {
                ["band_from"] = one.From, ["band_to"] = one.To, ["band2_from"] = two.From, ["band2_to"] = two.To,
            };
            var costs = await http.QueryAsync(sql.PricedCostsInBands(filter), parameters, c => (Band: c[0].Long(), Cost: JsonCell.Cost(c[1], c[2])), cancellationToken);
            List<Int128> At((long From, long To, long Below) bandRange, (long Skip, long Take) ranks) => costs
                .Where(c => c.Band >= bandRange.From && c.Band <= bandRange.To).Skip((int)(ranks.Skip - bandRange.Below)).Take((int)ranks.Take).Select(c => c.Cost).ToList();
            var (atFirst, atSecond) = (At(one, first), At(two, second));
            if (atFirst.Count == first.Take && atSecond.Count == second.Take)
                return (atFirst, atSecond);
        }
        var firstRead = RanksAsync(filter, filterParameters, first, cancellationToken);
        var secondRead = RanksAsync(filter, filterParameters, second, cancellationToken);
        return (await firstRead, await secondRead);
    }

    private Task<List<Int128>> RanksAsync(SessionFilter filter, Dictionary<string, object?> filterParameters, (long Skip, long Take) ranks, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?>(filterParameters) { ["skip"] = ranks.Skip, ["take"] = ranks.Take, ["end"] = ranks.Skip + ranks.Take };
        return http.QueryAsync(sql.PricedCostsAtRanks(filter), parameters, c => JsonCell.Cost(c[0], c[1]), cancellationToken);
    }

    /// <summary>The first and last band holding the ranks, and how many costs come before the first.</summary>
    private static (long From, long To, long Below)? BandsOf(List<(long Band, long Count)> bands, (long Skip, long Take) ranks)
    {
        long below = 0;
        (long Band, long Below)? first = null;
        foreach (var (band, count) in bands)
        {
            if (first is null && ranks.Skip < below + count)
                first = (band, below);
            if (first is not null && ranks.Skip + ranks.Take - 1 < below + count)
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
