namespace Zespan.Core.Alerts;

/// <summary>
/// The guard's SQL, the same on SQLite and PostgreSQL (written with @ parameters; the SQLite store uses $), so both
/// backends answer alike and each rule of the outbox — claim, retry, give up — is written once.
/// </summary>
public static class AlertSql
{
    /// <summary>Children first; every statement scoped to the project, so another project's rule is never touched.</summary>
    public static readonly string[] DeleteRule =
    [
        "DELETE FROM alert_delivery_attempts WHERE delivery_id IN (SELECT id FROM alert_deliveries WHERE rule_id = @rule AND project_id = @p)",
        "DELETE FROM alert_deliveries WHERE rule_id = @rule AND project_id = @p",
        "DELETE FROM alert_firings WHERE rule_id = @rule AND project_id = @p",
        "DELETE FROM alert_rules WHERE id = @rule AND project_id = @p",
    ];

    /// <summary>Inserts nothing (no row returned) when the rule already fired for the subject or no longer exists.</summary>
    public const string InsertFiring = """
        INSERT INTO alert_firings (rule_id, project_id, subject_key, session_id, user_id, figure, fired_ms)
        SELECT @rule, @p, @subject, @session, @user, @figure, @now
        WHERE EXISTS (SELECT 1 FROM alert_rules WHERE id = @rule AND project_id = @p)
        ON CONFLICT (rule_id, subject_key) DO NOTHING
        RETURNING id
        """;

    public const string InsertDelivery = """
        INSERT INTO alert_deliveries (firing_id, rule_id, project_id, event_id, body, state, attempts, next_attempt_ms, created_ms)
        VALUES (@firing, @rule, @p, @event, @body, 'pending', 0, @now, @now)
        """;

    /// <summary>A session's own firings, and the user-window firings of its user (session firings carry the user too).</summary>
    public const string FiringsForWhere = """
        WHERE project_id = @p AND (session_id = @session OR (user_id = @user AND subject_key LIKE 'user:%'))
        ORDER BY fired_ms, id
        """;

    public const string DueCandidates = """
        SELECT id, next_attempt_ms FROM alert_deliveries
        WHERE state = 'pending' AND next_attempt_ms <= @now
        ORDER BY next_attempt_ms, id LIMIT @limit
        """;

    public const string Claim = "UPDATE alert_deliveries SET next_attempt_ms = @until WHERE id = @id AND state = 'pending' AND next_attempt_ms = @seen";

    public const string ReadClaimed = """
        SELECT d.id, d.rule_id, d.event_id, d.body, r.webhook_url, r.secret, d.attempts
        FROM alert_deliveries d JOIN alert_rules r ON r.id = d.rule_id WHERE d.id = @id
        """;

    /// <summary>Idempotent: if a claim ran out while a slow attempt was under way, the second log of that attempt is dropped.</summary>
    public const string InsertAttempt = """
        INSERT INTO alert_delivery_attempts (delivery_id, attempt, at_ms, status_code, error, duration_ms)
        VALUES (@id, @attempt, @at, @status, @error, @duration)
        ON CONFLICT (delivery_id, attempt) DO NOTHING
        """;

    public const string UpdateDelivery = "UPDATE alert_deliveries SET attempts = @attempt, state = @state, next_attempt_ms = @next WHERE id = @id AND state = 'pending'";

    public const string ListDeliveries = """
        SELECT d.id, d.rule_id, r.name, d.firing_id, d.event_id, f.session_id, f.user_id, d.state, d.attempts, d.created_ms, d.next_attempt_ms
        FROM alert_deliveries d JOIN alert_rules r ON r.id = d.rule_id JOIN alert_firings f ON f.id = d.firing_id
        WHERE d.project_id = @p AND d.rule_id = COALESCE(@rule, d.rule_id)
        ORDER BY d.id DESC LIMIT @limit
        """;

    public const string ListAttempts = """
        SELECT a.delivery_id, a.attempt, a.at_ms, a.status_code, a.error, a.duration_ms
        FROM alert_delivery_attempts a JOIN alert_deliveries d ON d.id = a.delivery_id
        WHERE d.project_id = @p AND a.delivery_id BETWEEN @from AND @to
        ORDER BY a.delivery_id, a.attempt
        """;

    /// <summary>The delivery's state after an attempt: delivered on 2xx, failed when no retry is left, else pending until the next.</summary>
    public static (string State, long? NextAttemptMs) After(DeliveryAttempt attempt, long? nextAttemptMs) =>
        attempt.Succeeded ? ("delivered", null) : nextAttemptMs is null ? ("failed", null) : ("pending", nextAttemptMs);

    public static AlertDelivery ReadDelivery(long id, long ruleId, string ruleName, long firingId, string eventId, string? sessionId, string? userId,
        string state, int attempts, long createdMs, long? nextAttemptMs) =>
        new(id, ruleId, ruleName, firingId, eventId, sessionId, userId, Enum.Parse<DeliveryState>(state, ignoreCase: true), attempts, createdMs,
            state == "pending" ? nextAttemptMs : null, []);

    public static IReadOnlyList<AlertDelivery> WithAttempts(IReadOnlyList<AlertDelivery> deliveries, IEnumerable<(long Delivery, DeliveryAttempt Attempt)> attempts)
    {
        var byDelivery = attempts.GroupBy(a => a.Delivery).ToDictionary(g => g.Key, g => (IReadOnlyList<DeliveryAttempt>)g.Select(a => a.Attempt).ToList());
        return deliveries.Select(d => byDelivery.TryGetValue(d.Id, out var log) ? d with { AttemptLog = log } : d).ToList();
    }
}
