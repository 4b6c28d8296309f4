using Zespan.Core.Storage;

namespace Zespan.Core.Sessions.Anomalies;

/// <summary>
/// The anomaly detector over any store: baselines from the sessions of the trailing window (one read of the same
/// session rows as the list), then every session to judge compared with the baseline of each of its kinds.
/// </summary>
public sealed class AnomalyDetector(ISessionKindReader reader, TimeProvider clock) : IAnomalyDetector
{
    private readonly BaselineCache _baselines = new(clock);

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
        var baselineRows = await reader.SessionsAsync(projectId, window, query.By, null, cancellationToken);
        var candidateFilter = query.Filter with { FromMs = query.Filter.FromMs ?? start, ToMs = end };
        var candidates = candidateFilter == window
            ? baselineRows
            : await reader.SessionsAsync(projectId, candidateFilter, query.By, null, cancellationToken);

        var baselines = Baselines(baselineRows);
        var anomalies = Judge(candidates, baselines, query.By, query.Window, end);
        var judged = candidates.Select(c => c.Session.SessionId).Distinct(StringComparer.Ordinal).LongCount();
        return new AnomalyReport(start, end, query.By, judged, anomalies.Count, anomalies.Take(query.Limit).ToList(),
            baselines.Values.OrderByDescending(b => b.Sessions).ThenBy(b => b.Kind, StringComparer.Ordinal).ToList());
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
            var rows = await reader.SessionsAsync(projectId, new SessionFilter { FromMs = end - (long)window.TotalMilliseconds, ToMs = end }, by, null, CancellationToken.None);
            return new BaselineCache.Computed(end, Baselines(rows));
        }).WaitAsync(cancellationToken);
    }

    public async Task<bool> IsAnomalousAsync(long projectId, string sessionId, CancellationToken cancellationToken = default) =>
        await JudgeAsync(projectId, sessionId, null, null, cancellationToken) is not null;

    /// <summary>The baseline of every kind present in the window's rows.</summary>
    public static Dictionary<KindKey, KindBaseline> Baselines(IReadOnlyList<KindedSession> rows)
    {
        var result = new Dictionary<KindKey, KindBaseline>();
        foreach (var kind in rows.GroupBy(r => new KindKey(r.Kind)))
        {
            List<double> costs = [], turns = [], perTurn = [];
            foreach (var row in kind)
            {
                var s = row.Session;
                if (!s.CostUnknown) // unknown cost is left out, never counted as $0
                    costs.Add((double)s.CostPico);
                turns.Add(s.Turns);
                perTurn.Add(TokensPerTurn(s));
            }
            result[kind.Key] = new KindBaseline(kind.Key.Kind, turns.Count, Baseline.Of(costs), Baseline.Of(turns), Baseline.Of(perTurn));
        }
        return result;
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
            if (!best.TryGetValue(row.Session.SessionId, out var current) || anomaly.MaxRatio > current.MaxRatio)
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
        var findings = new List<AnomalyFinding>(3);
        if (!session.CostUnknown)
            findings.Add(AnomalyRule.Judge(AnomalyMetric.CostPerSession, (double)session.CostPico, baseline.CostPico));
        findings.Add(AnomalyRule.Judge(AnomalyMetric.Turns, session.Turns, baseline.Turns));
        findings.Add(AnomalyRule.Judge(AnomalyMetric.TokensPerTurn, TokensPerTurn(session), baseline.TokensPerTurn));
        return findings;
    }

    public static double TokensPerTurn(SessionSummary s) => s.Turns == 0 ? 0 : (double)s.TotalTokens / s.Turns;

    /// <summary>A kind as a dictionary key (null, the no-kind group, included).</summary>
    public readonly record struct KindKey(string? Kind);
}
