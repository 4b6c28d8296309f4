namespace Zespan.Core.Alerts;

/// <summary>
/// Guard rules, their firings and the webhook outbox, in the control plane (SQLite or PostgreSQL), shared by every server.
/// Every read and delete is scoped to the project it is given.
/// </summary>
public interface IAlertStore
{
    Task<AlertRule> CreateRuleAsync(NewAlertRule rule, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AlertRule>> ListRulesAsync(long projectId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the rule with its firings and deliveries (pending ones are not sent); false when the project has no such rule.</summary>
    Task<bool> DeleteRuleAsync(long projectId, long ruleId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records the firing and queues its delivery in one transaction. Null when the rule already fired for this subject
    /// (by this or any other server): the caller must then send nothing.
    /// </summary>
    Task<AlertFiring?> TryFireAsync(AlertFiringDraft firing, CancellationToken cancellationToken = default);

    /// <summary>The firings of a rule for one user, oldest first (one per window in which the user crossed it).</summary>
    Task<IReadOnlyList<AlertFiring>> UserFiringsAsync(long ruleId, string userId, CancellationToken cancellationToken = default);

    /// <summary>The project's firings about this session, and about this user when one is given, oldest first.</summary>
    Task<IReadOnlyList<AlertFiring>> FiringsForAsync(long projectId, string sessionId, string? userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims up to <paramref name="limit"/> pending deliveries due at <paramref name="nowMs"/> by moving their next attempt
    /// to <paramref name="claimUntilMs"/>: another server does not take them meanwhile, and if this one dies they come due again.
    /// </summary>
    Task<IReadOnlyList<DueDelivery>> ClaimDueAsync(long nowMs, long claimUntilMs, int limit, CancellationToken cancellationToken = default);

    /// <summary>Logs an attempt; the delivery is then delivered (2xx), failed (<paramref name="nextAttemptMs"/> null) or due again.</summary>
    Task RecordAttemptAsync(long deliveryId, DeliveryAttempt attempt, long? nextAttemptMs, CancellationToken cancellationToken = default);

    /// <summary>The project's deliveries, newest first, with their attempts; optionally of one rule.</summary>
    Task<IReadOnlyList<AlertDelivery>> ListDeliveriesAsync(long projectId, long? ruleId, int limit, CancellationToken cancellationToken = default);
}
