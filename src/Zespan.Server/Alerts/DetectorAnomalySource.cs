using Zespan.Core.Alerts;
using Zespan.Core.Sessions.Anomalies;

namespace Zespan.Server.Alerts;

/// <summary>
/// The "session is flagged anomalous" rule asks the same detector as GET /api/v1/sessions/anomalies and the list's badge:
/// the whole project's baseline of the 7 days up to now, so a flag in a webhook is a flag on the page.
/// </summary>
public sealed class DetectorAnomalySource(IAnomalyDetector detector) : ISessionAnomalySource
{
    public async Task<AnomalyFlag?> FlagAsync(long projectId, string sessionId, CancellationToken cancellationToken = default) =>
        await detector.JudgeAsync(projectId, sessionId, cancellationToken: cancellationToken) is { } anomaly
            ? new AnomalyFlag(anomaly.Reason)
            : null;
}
