using Zespan.Core.Storage;

namespace Zespan.Core.Sessions.Anomalies;

/// <summary>
/// The anomaly detector over any store: baselines from the sessions of the trailing window, then every session to judge
/// compared with the baseline of each of its kinds. A store that reads the sessions' numbers alone
/// (<see cref="ISessionNumbersReader"/>) gives the baselines from those and the full rows of the flagged sessions only
/// (a flag needs x ≥ 3× a median, so they are few); otherwise every row of the window is read in full. Both give the
/// same flags and reasons: a baseline is the same numbers either way, and a session not flagged shows nothing.
/// </summary>
public sealed class AnomalyDetector(ISessionKindReader reader, TimeProvider clock) : IAnomalyDetector
{
    private readonly BaselineCache _baselines = new(clock);
    private readonly ISessionNumbersReader? _numbers = reader as ISessionNumbersReader;

    public async Task<IReadOnlyDictionary<string, SessionAnomaly>> JudgeListedAsync(
        long projectId, SessionFilter filter, IReadOnlyList<SessionSummary> sessions, CancellationToken cancellationToken = default)
    {
        var window = AnomalyQuery.DefaultWindow;
        var baselines = await RememberedBaselinesAsync(projectId, null, filter.ToMs, cancellationToken);
        // The sessions FindAsync would judge for this filter: from its start (or the window's), to the window's end.
        var end = filter.ToMs ?? clock.GetUtcNow().ToUnixTimeMilliseconds();
        var from = filter.FromMs ?? end - (long)window.TotalMilliseconds;
        var rows = sessions.Where(s => s.StartedMs >= from && s.StartedMs < end).Select(s => new KindedSession(s, null)).ToList();
        return Judge(rows, baselines.Baselines, null, window, baselines.WindowEndMs).ToDictionary(a => a.Session.SessionId, StringComparer.Ordinal);
    }

    public async Task<AnomalyReport> FindAsync(long projectId, AnomalyQuery query, CancellationToken cancellationToken = default)
    {
        var end = query.Filter.ToMs ?? clock.GetUtcNow().ToUnixTimeMilliseconds();
        var start = end - (long)query.Window.TotalMilliseconds;
        var window = new SessionFilter { FromMs = start, ToMs = end };
        var candidateFilter = query.Filter with { FromMs = query.Filter.FromMs ?? start, ToMs = end };

        return await FromNumbersAsync(projectId, query, window, candidateFilter, cancellationToken)
            ?? await FromRowsAsync(projectId, query, window, candidateFilter, cancellationToken);
    }

    /// <summary>
    /// Baselines from the window's numbers; the flagged sessions and their ratios from the numbers of the sessions at or
    /// above a floor (only they can be flagged); the full rows of the listed ones. Null when the store has no numbers read.
    /// </summary>
    private async Task<AnomalyReport?> FromNumbersAsync(
        long projectId, AnomalyQuery query, SessionFilter window, SessionFilter candidateFilter, CancellationToken cancellationToken)
    {
        var builder = new BaselineBuilder();
        if (_numbers is null || !await _numbers.NumbersAsync(projectId, window, query.By, builder, cancellationToken))
            return null;
        var windowSessions = builder.Rows;
        var baselines = builder.Build();
        var candidates = await _numbers.NumbersAtOrAboveAsync(projectId, candidateFilter, query.By, FlagFloors.Of(baselines.Values), cancellationToken);
        var flagged = MostExtreme(candidates, baselines);
        var listed = flagged.OrderByDescending(f => f.Value).ThenBy(f => f.Key, StringComparer.Ordinal).Take(query.Limit).Select(f => f.Key).ToList();
        var rows = listed.Count == 0 ? [] : await _numbers.SessionsByIdAsync(projectId, listed, query.By, cancellationToken);
        var judged = query.By is null && candidateFilter == window ? windowSessions : await _numbers.CountAsync(projectId, candidateFilter, cancellationToken);
        return Report(window, query, judged, flagged.Count, Judge(rows, baselines, query.By, query.Window, window.ToMs!.Value), baselines);
    }

    /// <summary>Baselines and flags from every full row of the window (and of the filter, when it differs).</summary>
    private async Task<AnomalyReport> FromRowsAsync(
        long projectId, AnomalyQuery query, SessionFilter window, SessionFilter candidateFilter, CancellationToken cancellationToken)
    {
        var baselineRows = await reader.SessionsAsync(projectId, window, query.By, null, cancellationToken);
        var candidateRows = candidateFilter == window
            ? baselineRows
            : await reader.SessionsAsync(projectId, candidateFilter, query.By, null, cancellationToken);
        var baselines = Baselines(baselineRows);
        var anomalies = Judge(candidateRows, baselines, query.By, query.Window, window.ToMs!.Value);
        var judged = candidateRows.Select(c => c.Session.SessionId).Distinct(StringComparer.Ordinal).LongCount();
        return Report(window, query, judged, anomalies.Count, anomalies, baselines);
    }

    private static AnomalyReport Report(
        SessionFilter window, AnomalyQuery query, long judged, long anomalous, List<SessionAnomaly> anomalies, Dictionary<KindKey, KindBaseline> baselines) =>
        new(window.FromMs!.Value, window.ToMs!.Value, query.By, judged, anomalous, anomalies.Take(query.Limit).ToList(),
            baselines.Values.OrderByDescending(b => b.Sessions).ThenBy(b => b.Kind, StringComparer.Ordinal).ToList());

    /// <summary>
    /// The sessions with a figure flagged against the baseline of one of their kinds — the ones <see cref="Judge"/>
    /// reports — each with its <see cref="SessionAnomaly.MaxRatio"/> under its most extreme kind.
    /// </summary>
    public static Dictionary<string, double> MostExtreme(IReadOnlyList<SessionNumbers> rows, Dictionary<KindKey, KindBaseline> baselines)
    {
        var flagged = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!baselines.TryGetValue(new KindKey(row.Kind), out var baseline) || MaxFlaggedRatio(row, baseline) is not { } ratio)
                continue;
            var id = row.SessionId ?? throw new ArgumentException("Flagging needs the sessions' ids.", nameof(rows));
            if (!flagged.TryGetValue(id, out var current) || ratio > current)
                flagged[id] = ratio;
        }
        return flagged;
    }

    public async Task<SessionAnomaly?> JudgeAsync(
        long projectId, string sessionId, SessionGrouping? by = null, long? atMs = null, CancellationToken cancellationToken = default)
    {
        var rows = await reader.SessionsAsync(projectId, SessionFilter.None, by, sessionId, cancellationToken);
        if (rows.Count == 0)
            return null;
        // The guard asks this for every session ingestion touches: the baselines are the remembered ones the list badges
        // with (same freshness rules, BaselineCache), not a read of the whole window per evaluation.
        var baselines = await RememberedBaselinesAsync(projectId, by, atMs, cancellationToken);
        return Judge(rows, baselines.Baselines, by, AnomalyQuery.DefaultWindow, baselines.WindowEndMs).FirstOrDefault();
    }

    /// <summary>The default window's baselines per kind, ending at <paramref name="endMs"/> (null: now), from the cache.</summary>
    private Task<BaselineCache.Computed> RememberedBaselinesAsync(long projectId, SessionGrouping? by, long? endMs, CancellationToken cancellationToken)
    {
        var window = AnomalyQuery.DefaultWindow;
        return _baselines.GetAsync(projectId, by, window, endMs, async end =>
        {
            // Not the request's token: other requests may wait on this read.
            var filter = new SessionFilter { FromMs = end - (long)window.TotalMilliseconds, ToMs = end };
            var builder = new BaselineBuilder();
            if (_numbers is not null && await _numbers.NumbersAsync(projectId, filter, by, builder, CancellationToken.None))
                return new BaselineCache.Computed(end, builder.Build());
            return new BaselineCache.Computed(end, Baselines(await reader.SessionsAsync(projectId, filter, by, null, CancellationToken.None)));
        }).WaitAsync(cancellationToken);
    }

    public async Task<bool> IsAnomalousAsync(long projectId, string sessionId, CancellationToken cancellationToken = default) =>
        await JudgeAsync(projectId, sessionId, null, null, cancellationToken) is not null;

    /// <summary>The baseline of every kind present in the window's rows.</summary>
    public static Dictionary<KindKey, KindBaseline> Baselines(IReadOnlyList<KindedSession> rows) =>
        Baselines(rows.Select(SessionNumbers.Of).ToList());

    /// <summary>The baseline of every kind present in the window's numbers.</summary>
    public static Dictionary<KindKey, KindBaseline> Baselines(IReadOnlyList<SessionNumbers> rows)
    {
        var builder = new BaselineBuilder();
        foreach (var row in rows)
            builder.Add(row);
        return builder.Build();
    }

    /// <summary>Every row judged against its kind's baseline; one anomaly per session (its most extreme kind), most extreme first.</summary>
    public static List<SessionAnomaly> Judge(
        IReadOnlyList<KindedSession> rows, Dictionary<KindKey, KindBaseline> baselines, SessionGrouping? by, TimeSpan window, long windowEndMs)
    {
        var best = new Dictionary<string, SessionAnomaly>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!baselines.TryGetValue(new KindKey(row.Kind), out var baseline))
                continue; // a kind with no session in the window has no usual
            var findings = Findings(row.Session, baseline);
            if (!findings.Any(f => f.Flagged))
                continue;
            var anomaly = new SessionAnomaly(row.Session, row.Kind, findings,
                AnomalyReason.Describe(findings, SessionKinds.Describe(by, row.Kind), window, windowEndMs));
            // Equally extreme under two kinds: the first kind by name (no kind first), whatever order the rows came in.
            if (!best.TryGetValue(row.Session.SessionId, out var current) || anomaly.MaxRatio > current.MaxRatio
                || (anomaly.MaxRatio == current.MaxRatio && string.CompareOrdinal(anomaly.Kind, current.Kind) < 0))
                best[row.Session.SessionId] = anomaly;
        }
        return best.Values
            .OrderByDescending(a => a.MaxRatio)
            .ThenBy(a => a.Session.SessionId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Cost (when known), turns and tokens per turn of a session against a baseline.</summary>
    public static List<AnomalyFinding> Findings(SessionSummary session, KindBaseline baseline)
    {
        var numbers = new SessionNumbers(session.SessionId, null, session.CostPico, session.UnpricedCalls, session.Turns, session.TotalTokens);
        var findings = new List<AnomalyFinding>(FigureCount);
        for (var i = 0; i < FigureCount; i++)
        {
            if (Figure(i, numbers, baseline) is { } f)
                findings.Add(AnomalyRule.Judge(f.Metric, f.Value, f.Baseline));
        }
        return findings;
    }

    /// <summary>The highest ratio of a flagged figure (<see cref="SessionAnomaly.MaxRatio"/>), without building the findings; null when none is flagged.</summary>
    public static double? MaxFlaggedRatio(in SessionNumbers session, KindBaseline baseline)
    {
        double? max = null;
        for (var i = 0; i < FigureCount; i++)
        {
            if (Figure(i, session, baseline) is { } f && AnomalyRule.Flags(f.Value, f.Baseline) && !(AnomalyRule.Ratio(f.Value, f.Baseline) <= max))
                max = AnomalyRule.Ratio(f.Value, f.Baseline);
        }
        return max;
    }

    private const int FigureCount = 3;

    /// <summary>The i-th figure judged, with its baseline: cost (none when unknown: never judged as $0), turns, tokens per turn.</summary>
    private static (AnomalyMetric Metric, double Value, Baseline Baseline)? Figure(int i, in SessionNumbers s, KindBaseline b) => i switch
    {
        0 => s.CostUnknown ? null : (AnomalyMetric.CostPerSession, (double)s.CostPico, b.CostPico),
        1 => (AnomalyMetric.Turns, s.Turns, b.Turns),
        _ => (AnomalyMetric.TokensPerTurn, TokensPerTurn(s.Turns, s.TotalTokens), b.TokensPerTurn),
    };

    public static double TokensPerTurn(SessionSummary s) => TokensPerTurn(s.Turns, s.TotalTokens);

    public static double TokensPerTurn(int turns, long totalTokens) => turns == 0 ? 0 : (double)totalTokens / turns;

    /// <summary>A kind as a dictionary key (null, the no-kind group, included).</summary>
    public readonly record struct KindKey(string? Kind);
}
