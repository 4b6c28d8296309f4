namespace Zespan.Core.Sessions.Anomalies;

/// <summary>
/// Finds sessions far above the usual of their kind of conversation (<see cref="AnomalyRule"/>), each with its reason.
/// Alert rules ("a session is flagged anomalous") call <see cref="JudgeAsync"/> or <see cref="IsAnomalousAsync"/>.
/// </summary>
public interface IAnomalyDetector
{
    /// <summary>The anomalous sessions among those of the query's filter, most extreme first, and the baselines used.</summary>
    Task<AnomalyReport> FindAsync(long projectId, AnomalyQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// The session judged against the baseline of the trailing window ending at <paramref name="atMs"/> (default now),
    /// under the grouping (default: the whole project); null when it is not anomalous or the project has no such session.
    /// The baseline is the remembered one of <see cref="BaselineCache"/> (the list's, with its freshness rules), so the
    /// runaway guard, which asks for every session ingestion touches, reads the window at most once a minute per project.
    /// </summary>
    Task<SessionAnomaly?> JudgeAsync(
        long projectId, string sessionId, SessionGrouping? by = null, long? atMs = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The listed sessions (a page of the sessions list under <paramref name="filter"/>) judged against the whole
    /// project's baseline of the default window, as <see cref="FindAsync"/> would judge them, but against a remembered
    /// baseline (<see cref="BaselineCache"/>: at most a minute old while the list is viewed, never more than ten).
    /// </summary>
    Task<IReadOnlyDictionary<string, SessionAnomaly>> JudgeListedAsync(
        long projectId, SessionFilter filter, IReadOnlyList<SessionSummary> sessions, CancellationToken cancellationToken = default);

    Task<bool> IsAnomalousAsync(long projectId, string sessionId, CancellationToken cancellationToken = default);
}
