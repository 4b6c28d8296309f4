namespace Zespan.Core.Alerts;

/// <summary>Why a session is flagged anomalous, in words a person can check ("cost $4.43 = 38× the median of …").</summary>
public sealed record AnomalyFlag(string Reason);

/// <summary>
/// The seam between the runaway guard and the anomaly detector: the "session is flagged anomalous" rule asks it about each
/// session ingestion touched. The detector registers an implementation; until one is registered, rules of that kind are
/// refused at creation (the server cannot evaluate them) rather than accepted and never fired.
/// </summary>
public interface ISessionAnomalySource
{
    /// <summary>The flag of the session as the stored figures stand now, or null when it is not anomalous.</summary>
    Task<AnomalyFlag?> FlagAsync(long projectId, string sessionId, CancellationToken cancellationToken = default);
}
