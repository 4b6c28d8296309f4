namespace Zespan.Core.Alerts;

/// <summary>What a guard rule watches.</summary>
public enum AlertKind
{
    /// <summary>A session's cost passes the threshold (USD).</summary>
    SessionCost,
    /// <summary>A session's turns (LLM calls) pass the threshold.</summary>
    SessionTurns,
    /// <summary>A user's cost over a rolling window (24 h or 30 days) passes the threshold (USD).</summary>
    UserCost,
    /// <summary>A session is flagged anomalous by the anomaly detector (<see cref="ISessionAnomalySource"/>).</summary>
    SessionAnomalous,
}

/// <summary>
/// A per-project guard rule. <see cref="Threshold"/> is picodollars for the cost kinds, turns for SessionTurns and null
/// for SessionAnomalous; <see cref="WindowMs"/> is set for UserCost only. The webhook secret is not part of the rule: it
/// is shown once at creation and read only by the dispatcher that signs deliveries.
/// </summary>
public sealed record AlertRule(long Id, long ProjectId, string Name, AlertKind Kind, long? Threshold, long? WindowMs, string WebhookUrl, long CreatedMs);

/// <summary>A rule to create; the store gives it an id.</summary>
public sealed record NewAlertRule(long ProjectId, string Name, AlertKind Kind, long? Threshold, long? WindowMs, string WebhookUrl, string Secret);

/// <summary>
/// A rule crossed by one subject (a session, or a user within one window). Unique per rule and <see cref="SubjectKey"/>:
/// that uniqueness, in the database, is what stops a second evaluation, a restart or a second server from firing twice.
/// </summary>
public sealed record AlertFiring(long Id, long RuleId, long ProjectId, string SubjectKey, string? SessionId, string? UserId, string Figure, long FiredMs);

/// <summary>A firing to record, with the event body its webhook delivery will send (fixed once, so retries send the same bytes).</summary>
public sealed record AlertFiringDraft(long RuleId, long ProjectId, string SubjectKey, string? SessionId, string? UserId, string Figure, long FiredMs,
    string EventId, string EventBody);
