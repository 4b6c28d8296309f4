using Zespan.Core.Alerts;
using Zespan.Core.Spans;

namespace Zespan.Server.Alerts;

/// <summary>A rule as the API shows it (never with its secret; that is shown once, in <see cref="CreatedAlertRule"/>).</summary>
public sealed record AlertRuleItem(long Id, string Name, string Kind, double? ThresholdUsd, long? ThresholdTurns, string? Window, string WebhookUrl, string CreatedAt)
{
    public static AlertRuleItem From(AlertRule rule) => new(
        rule.Id, rule.Name, AlertKinds.Name(rule.Kind),
        AlertKinds.IsCost(rule.Kind) && rule.Threshold is { } pico ? Money.PicoToUsd(pico) : null,
        rule.Kind == AlertKind.SessionTurns ? rule.Threshold : null,
        AlertKinds.WindowName(rule.WindowMs), rule.WebhookUrl, Timestamps.Format(rule.CreatedMs));
}

/// <summary>The answer to creating a rule: the rule and its signing secret, which is not shown again.</summary>
public sealed record CreatedAlertRule(AlertRuleItem Rule, string Secret);

/// <summary>
/// A rule to create. kind: session_cost | session_turns | user_cost | session_anomalous; thresholdUsd for the cost kinds,
/// thresholdTurns for session_turns; window (24h or 30d) for user_cost.
/// </summary>
public sealed record AlertRuleRequest(string? Name, string? Kind, decimal? ThresholdUsd, long? ThresholdTurns, string? Window, string? WebhookUrl);

/// <summary>One delivery attempt: the webhook's HTTP status, or the error when no answer came.</summary>
public sealed record DeliveryAttemptItem(int Attempt, string At, int? Status, string? Error, long DurationMs)
{
    public static DeliveryAttemptItem From(DeliveryAttempt a) => new(a.Attempt, Timestamps.Format(a.AtMs), a.StatusCode, a.Error, a.DurationMs);
}

/// <summary>An event's delivery: pending (with the next attempt's time), delivered or failed, and every attempt.</summary>
public sealed record DeliveryItem(long Id, long RuleId, string RuleName, string EventId, string? SessionId, string? UserId, string State, int Attempts,
    string CreatedAt, string? NextAttemptAt, IReadOnlyList<DeliveryAttemptItem> AttemptLog)
{
    public static DeliveryItem From(AlertDelivery d) => new(d.Id, d.RuleId, d.RuleName, d.EventId, d.SessionId, d.UserId, d.State.ToString().ToLowerInvariant(),
        d.Attempts, Timestamps.Format(d.CreatedMs), d.NextAttemptMs is { } n ? Timestamps.Format(n) : null, d.AttemptLog.Select(DeliveryAttemptItem.From).ToList());
}

public sealed record DeliveryListResponse(IReadOnlyList<DeliveryItem> Data);

public sealed record AlertRuleListResponse(IReadOnlyList<AlertRuleItem> Data);

/// <summary>A rule the session (or its user, within the window) crossed, when, and at which figure.</summary>
public sealed record CrossedRule(long RuleId, string RuleName, string Kind, string Subject, string Figure, string FiredAt, string? Window);

/// <summary>
/// A session's guard state: the rules it crossed. <see cref="Stop"/> is true when any did — the signal an application
/// can use to stop a runaway agent.
/// </summary>
public sealed record GuardStateResponse(string SessionId, string? UserId, bool Stop, IReadOnlyList<CrossedRule> Crossed);
