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
    /// </summary>
    Task<SessionAnomaly?> JudgeAsync(
        long projectId, string sessionId, SessionGrouping? by = null, long? atMs = null, CancellationToken cancellationToken = default);

    Task<bool> IsAnomalousAsync(long projectId, string sessionId, CancellationToken cancellationToken = default);
}
