using Npgsql;
using Zespan.Core.Alerts;

namespace Zespan.Storage.Postgres;

/// <summary>Guard rules, firings and the webhook outbox on PostgreSQL, shared by every server (see <see cref="IAlertStore"/>).</summary>
public sealed class PostgresAlertStore(NpgsqlDataSource dataSource, TimeProvider clock) : IAlertStore
{
    private const string RuleColumns = "SELECT id, project_id, name, kind, threshold, window_ms, webhook_url, created_ms FROM alert_rules";
    private const string FiringColumns = "SELECT id, rule_id, project_id, subject_key, session_id, user_id, figure, fired_ms FROM alert_firings";

    public async Task<AlertRule> CreateRuleAsync(NewAlertRule rule, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var command = dataSource.CreateCommand("""
            INSERT INTO alert_rules (project_id, name, kind, threshold, window_ms, webhook_url, secret, created_ms)
            VALUES (@p, @name, @kind, @threshold, @window, @url, @secret, @now) RETURNING id
            """).With("p", rule.ProjectId).With("name", rule.Name).With("kind", AlertKinds.Name(rule.Kind)).With("threshold", rule.Threshold)
            .With("window", rule.WindowMs).With("url", rule.WebhookUrl).With("secret", rule.Secret).With("now", now);
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new AlertRule(id, rule.ProjectId, rule.Name, rule.Kind, rule.Threshold, rule.WindowMs, rule.WebhookUrl, now);
    }

    public async Task<IReadOnlyList<AlertRule>> ListRulesAsync(long projectId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(RuleColumns + " WHERE project_id = @p ORDER BY id").With("p", projectId);
        return await command.ReadAllAsync(ReadRule, cancellationToken);
    }

    public async Task<bool> DeleteRuleAsync(long projectId, long ruleId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var sql in AlertSql.DeleteRule)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction).With("p", projectId).With("rule", ruleId);
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0 && sql == AlertSql.DeleteRule[^1])
                return false;
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<AlertFiring?> TryFireAsync(AlertFiringDraft firing, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var insert = new NpgsqlCommand(AlertSql.InsertFiring, connection, transaction)
            .With("rule", firing.RuleId).With("p", firing.ProjectId).With("subject", firing.SubjectKey).WithText("session", firing.SessionId)
            .WithText("user", firing.UserId).With("figure", firing.Figure).With("now", firing.FiredMs);
        if (await insert.ExecuteScalarAsync(cancellationToken) is not long id)
            return null; // already fired (or the rule was deleted meanwhile)
        await using var queue = new NpgsqlCommand(AlertSql.InsertDelivery, connection, transaction)
            .With("firing", id).With("rule", firing.RuleId).With("p", firing.ProjectId).With("event", firing.EventId)
            .With("body", firing.EventBody).With("now", firing.FiredMs);
        await queue.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new AlertFiring(id, firing.RuleId, firing.ProjectId, firing.SubjectKey, firing.SessionId, firing.UserId, firing.Figure, firing.FiredMs);
    }

    public async Task<IReadOnlyList<AlertFiring>> UserFiringsAsync(long ruleId, string userId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(FiringColumns + " WHERE rule_id = @rule AND user_id = @user AND subject_key LIKE 'user:%' ORDER BY fired_ms, id")
            .With("rule", ruleId).With("user", userId);
        return await command.ReadAllAsync(ReadFiring, cancellationToken);
    }

    public async Task<IReadOnlyList<AlertFiring>> FiringsForAsync(long projectId, string sessionId, string? userId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(FiringColumns + " " + AlertSql.FiringsForWhere)
            .With("p", projectId).With("session", sessionId).WithText("user", userId);
        return await command.ReadAllAsync(ReadFiring, cancellationToken);
    }

    public async Task<IReadOnlyList<DueDelivery>> ClaimDueAsync(long nowMs, long claimUntilMs, int limit, CancellationToken cancellationToken = default)
    {
        List<(long Id, long Due)> candidates;
        await using (var due = dataSource.CreateCommand(AlertSql.DueCandidates).With("now", nowMs).With("limit", limit))
            candidates = await due.ReadAllAsync(r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken);
        var claimed = new List<DueDelivery>();
        foreach (var (id, seen) in candidates)
        {
            // Conditional on the due time we saw: if another server claimed it first, this updates nothing.
            await using var claim = dataSource.CreateCommand(AlertSql.Claim).With("until", claimUntilMs).With("id", id).With("seen", seen);
            if (await claim.ExecuteNonQueryAsync(cancellationToken) != 1)
                continue;
            await using var read = dataSource.CreateCommand(AlertSql.ReadClaimed).With("id", id);
            claimed.AddRange(await read.ReadAllAsync(r => new DueDelivery(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt32(6)), cancellationToken));
        }
        return claimed;
    }

    public async Task RecordAttemptAsync(long deliveryId, DeliveryAttempt attempt, long? nextAttemptMs, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var log = new NpgsqlCommand(AlertSql.InsertAttempt, connection, transaction)
            .With("id", deliveryId).With("attempt", attempt.Attempt).With("at", attempt.AtMs).With("status", attempt.StatusCode)
            .WithText("error", attempt.Error).With("duration", attempt.DurationMs))
            await log.ExecuteNonQueryAsync(cancellationToken);
        var (state, next) = AlertSql.After(attempt, nextAttemptMs);
        await using (var update = new NpgsqlCommand(AlertSql.UpdateDelivery, connection, transaction)
            .With("id", deliveryId).With("attempt", attempt.Attempt).With("state", state).With("next", next))
            await update.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AlertDelivery>> ListDeliveriesAsync(long projectId, long? ruleId, int limit, CancellationToken cancellationToken = default)
    {
        List<AlertDelivery> deliveries;
        await using (var list = dataSource.CreateCommand(AlertSql.ListDeliveries).With("p", projectId).WithBigint("rule", ruleId).With("limit", limit))
            deliveries = await list.ReadAllAsync(r => AlertSql.ReadDelivery(
                r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6), r.GetString(7), r.GetInt32(8), r.GetInt64(9), r.GetNullableInt64(10)), cancellationToken);
        if (deliveries.Count == 0)
            return deliveries;
        await using var attempts = dataSource.CreateCommand(AlertSql.ListAttempts).With("p", projectId).With("from", deliveries[^1].Id).With("to", deliveries[0].Id);
        var rows = await attempts.ReadAllAsync(r => (Delivery: r.GetInt64(0), Attempt: new DeliveryAttempt(r.GetInt32(1), r.GetInt64(2),
            r.IsDBNull(3) ? null : r.GetInt32(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetInt64(5))), cancellationToken);
        return AlertSql.WithAttempts(deliveries, rows);
    }

    private static AlertRule ReadRule(NpgsqlDataReader r)
    {
        AlertKinds.TryParse(r.GetString(3), out var kind);
        return new AlertRule(r.GetInt64(0), r.GetInt64(1), r.GetString(2), kind, r.GetNullableInt64(4), r.GetNullableInt64(5), r.GetString(6), r.GetInt64(7));
    }

    private static AlertFiring ReadFiring(NpgsqlDataReader r) =>
        new(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
            r.GetString(6), r.GetInt64(7));
}
