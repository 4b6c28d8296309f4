using Microsoft.Data.Sqlite;
using Zespan.Core.Alerts;

namespace Zespan.Storage.Sqlite;

/// <summary>Guard rules, firings and the webhook outbox in the embedded file (see <see cref="IAlertStore"/>).</summary>
public sealed class SqliteAlertStore(SqliteDatabase database, TimeProvider clock) : IAlertStore
{
    private const string RuleColumns = "SELECT id, project_id, name, kind, threshold, window_ms, webhook_url, created_ms FROM alert_rules";
    private const string FiringColumns = "SELECT id, rule_id, project_id, subject_key, session_id, user_id, figure, fired_ms FROM alert_firings";

    public async Task<AlertRule> CreateRuleAsync(NewAlertRule rule, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            INSERT INTO alert_rules (project_id, name, kind, threshold, window_ms, webhook_url, secret, created_ms)
            VALUES ($p, $name, $kind, $threshold, $window, $url, $secret, $now) RETURNING id
            """).With("$p", rule.ProjectId).With("$name", rule.Name).With("$kind", AlertKinds.Name(rule.Kind)).With("$threshold", rule.Threshold)
            .With("$window", rule.WindowMs).With("$url", rule.WebhookUrl).With("$secret", rule.Secret).With("$now", now);
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new AlertRule(id, rule.ProjectId, rule.Name, rule.Kind, rule.Threshold, rule.WindowMs, rule.WebhookUrl, now);
    }

    public async Task<IReadOnlyList<AlertRule>> ListRulesAsync(long projectId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(RuleColumns + " WHERE project_id = $p ORDER BY id").With("$p", projectId);
        return await ReadAllAsync(command, ReadRule, cancellationToken);
    }

    public async Task<bool> DeleteRuleAsync(long projectId, long ruleId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction();
        foreach (var sql in AlertSql.DeleteRule)
        {
            await using var command = connection.Command(sql.Replace('@', '$'), transaction).With("$p", projectId).With("$rule", ruleId);
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0 && sql == AlertSql.DeleteRule[^1])
                return false; // nothing of another project's was touched: each statement is scoped to the project
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<AlertFiring?> TryFireAsync(AlertFiringDraft firing, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction();
        await using var insert = connection.Command(AlertSql.InsertFiring.Replace('@', '$'), transaction)
            .With("$rule", firing.RuleId).With("$p", firing.ProjectId).With("$subject", firing.SubjectKey).With("$session", firing.SessionId)
            .With("$user", firing.UserId).With("$figure", firing.Figure).With("$now", firing.FiredMs);
        if (await insert.ExecuteScalarAsync(cancellationToken) is not long id)
            return null; // already fired (or the rule was deleted meanwhile)
        await using var queue = connection.Command(AlertSql.InsertDelivery.Replace('@', '$'), transaction)
            .With("$firing", id).With("$rule", firing.RuleId).With("$p", firing.ProjectId).With("$event", firing.EventId)
            .With("$body", firing.EventBody).With("$now", firing.FiredMs);
        await queue.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new AlertFiring(id, firing.RuleId, firing.ProjectId, firing.SubjectKey, firing.SessionId, firing.UserId, firing.Figure, firing.FiredMs);
    }

    public async Task<IReadOnlyList<AlertFiring>> UserFiringsAsync(long ruleId, string userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(FiringColumns + " WHERE rule_id = $rule AND user_id = $user AND subject_key LIKE 'user:%' ORDER BY fired_ms, id")
            .With("$rule", ruleId).With("$user", userId);
        return await ReadAllAsync(command, ReadFiring, cancellationToken);
    }

    public async Task<IReadOnlyList<AlertFiring>> FiringsForAsync(long projectId, string sessionId, string? userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(FiringColumns + " " + AlertSql.FiringsForWhere.Replace('@', '$'))
            .With("$p", projectId).With("$session", sessionId).With("$user", userId);
        return await ReadAllAsync(command, ReadFiring, cancellationToken);
    }

    public async Task<IReadOnlyList<DueDelivery>> ClaimDueAsync(long nowMs, long claimUntilMs, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        List<(long Id, long Due)> candidates;
        await using (var due = connection.Command(AlertSql.DueCandidates.Replace('@', '$')).With("$now", nowMs).With("$limit", limit))
            candidates = await ReadAllAsync(due, r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken);
        var claimed = new List<DueDelivery>();
        foreach (var (id, seen) in candidates)
        {
            // Conditional on the due time we saw: if another process claimed it first, this updates nothing.
            await using var claim = connection.Command(AlertSql.Claim.Replace('@', '$'))
                .With("$until", claimUntilMs).With("$id", id).With("$seen", seen);
            if (await claim.ExecuteNonQueryAsync(cancellationToken) != 1)
                continue;
            await using var read = connection.Command(AlertSql.ReadClaimed.Replace('@', '$')).With("$id", id);
            claimed.AddRange(await ReadAllAsync(read, r => new DueDelivery(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt32(6)), cancellationToken));
        }
        return claimed;
    }

    public async Task RecordAttemptAsync(long deliveryId, DeliveryAttempt attempt, long? nextAttemptMs, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction();
        await using (var log = connection.Command(AlertSql.InsertAttempt.Replace('@', '$'), transaction)
            .With("$id", deliveryId).With("$attempt", attempt.Attempt).With("$at", attempt.AtMs).With("$status", attempt.StatusCode)
            .With("$error", attempt.Error).With("$duration", attempt.DurationMs))
            await log.ExecuteNonQueryAsync(cancellationToken);
        var (state, next) = AlertSql.After(attempt, nextAttemptMs);
        await using (var update = connection.Command(AlertSql.UpdateDelivery.Replace('@', '$'), transaction)
            .With("$id", deliveryId).With("$attempt", attempt.Attempt).With("$state", state).With("$next", next))
            await update.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AlertDelivery>> ListDeliveriesAsync(long projectId, long? ruleId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        List<AlertDelivery> deliveries;
        await using (var list = connection.Command(AlertSql.ListDeliveries.Replace('@', '$')).With("$p", projectId).With("$rule", ruleId).With("$limit", limit))
            deliveries = await ReadAllAsync(list, r => AlertSql.ReadDelivery(
                r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetNullableString(5), r.GetNullableString(6),
                r.GetString(7), r.GetInt32(8), r.GetInt64(9), r.GetNullableInt64(10)), cancellationToken);
        if (deliveries.Count == 0)
            return deliveries;
        await using var attempts = connection.Command(AlertSql.ListAttempts.Replace('@', '$')).With("$p", projectId).With("$from", deliveries[^1].Id).With("$to", deliveries[0].Id);
        var rows = await ReadAllAsync(attempts, r => (Delivery: r.GetInt64(0), Attempt: new DeliveryAttempt(r.GetInt32(1), r.GetInt64(2),
            r.IsDBNull(3) ? null : r.GetInt32(3), r.GetNullableString(4), r.GetInt64(5))), cancellationToken);
        return AlertSql.WithAttempts(deliveries, rows);
    }

    private static AlertRule ReadRule(SqliteDataReader r)
    {
        AlertKinds.TryParse(r.GetString(3), out var kind);
        return new AlertRule(r.GetInt64(0), r.GetInt64(1), r.GetString(2), kind, r.GetNullableInt64(4), r.GetNullableInt64(5), r.GetString(6), r.GetInt64(7));
    }

    private static AlertFiring ReadFiring(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.GetNullableString(4), r.GetNullableString(5), r.GetString(6), r.GetInt64(7));

    private static async Task<List<T>> ReadAllAsync<T>(SqliteCommand command, Func<SqliteDataReader, T> map, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(map(reader));
        return rows;
    }
}
