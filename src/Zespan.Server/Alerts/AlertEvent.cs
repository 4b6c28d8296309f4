using System.Text.Json;
using Zespan.Core.Alerts;
using Zespan.Core.Spans;

namespace Zespan.Server.Alerts;

/// <summary>
/// The JSON a webhook receives (docs/alerts.md). Built once when the rule fires and stored with the delivery, so every
/// retry sends, and signs, the same bytes.
/// </summary>
public static class AlertEvent
{
    public const string Type = "alert.fired";

    public static string NewId() => "evt_" + Guid.NewGuid().ToString("N");

    public static string Body(string eventId, AlertRule rule, long firedMs, GuardSubject subject, GuardFigure figure) =>
        JsonSerializer.Serialize(new
        {
            id = eventId,
            type = Type,
            occurredAt = Timestamps.Format(firedMs),
            projectId = rule.ProjectId,
            rule = AlertRuleItem.From(rule),
            subject = new { sessionId = subject.SessionId, userId = subject.UserId, window = AlertKinds.WindowName(rule.WindowMs), windowStart = subject.WindowStartMs is { } s ? Timestamps.Format(s) : null },
            figure = new { costUsd = figure.CostPico is { } c ? Money.PicoToUsd(c) : (double?)null, turns = figure.Turns, sessions = figure.Sessions, reason = figure.Reason },
            guardUrl = subject.SessionId is { } id ? "/api/v1/sessions/" + Uri.EscapeDataString(id) + "/guard" : null,
        }, JsonSerializerOptions.Web);
}

/// <summary>What crossed: a session (with its user), or a user within a window starting at <see cref="WindowStartMs"/>.</summary>
public sealed record GuardSubject(string? SessionId, string? UserId, long? WindowStartMs = null);

/// <summary>The figures at the crossing, as the API reports them; <see cref="Reason"/> is the anomaly detector's words.</summary>
public sealed record GuardFigure(Int128? CostPico, long? Turns, long? Sessions = null, string? Reason = null)
{
    /// <summary>The figure stored with the firing and shown in the guard state: "$5.20", "201 turns", or the anomaly reason.</summary>
    public string Describe(AlertKind kind) => kind switch
    {
        AlertKind.SessionTurns => $"{Turns} turns",
        AlertKind.SessionAnomalous => Reason ?? "flagged anomalous",
        _ => CostPico is { } c ? Money.PicoToUsd(c).ToString("$0.00####", System.Globalization.CultureInfo.InvariantCulture) : "unpriced",
    };
}
