namespace Zespan.Core.Alerts;

/// <summary>Where a webhook delivery stands: waiting for its (next) attempt, answered with 2xx, or given up after the last retry.</summary>
public enum DeliveryState { Pending, Delivered, Failed }

/// <summary>One POST of an event to a rule's webhook and what came back: a status code, or an error when no answer came.</summary>
public sealed record DeliveryAttempt(int Attempt, long AtMs, int? StatusCode, string? Error, long DurationMs)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>An event's delivery to one webhook, with every attempt so far, newest delivery first in lists.</summary>
public sealed record AlertDelivery(long Id, long RuleId, string RuleName, long FiringId, string EventId, string? SessionId, string? UserId,
    DeliveryState State, int Attempts, long CreatedMs, long? NextAttemptMs, IReadOnlyList<DeliveryAttempt> AttemptLog);

/// <summary>A delivery this server has claimed and must attempt now: the body to send and how to sign it.</summary>
public sealed record DueDelivery(long Id, long RuleId, string EventId, string Body, string WebhookUrl, string Secret, int AttemptsSoFar);
