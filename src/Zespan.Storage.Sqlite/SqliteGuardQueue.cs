using Zespan.Core.Alerts;

namespace Zespan.Storage.Sqlite;

/// <summary>The guard's pending sessions (guard_pending, migration 141), filled by triggers on the sessions table.</summary>
public sealed class SqliteGuardQueue(SqliteDatabase database, SqliteWriteGate writeGate) : IGuardQueue
{
    public async Task<IReadOnlyList<PendingGuardCheck>> PendingAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT touch, project_id, session_id FROM guard_pending ORDER BY touch LIMIT $limit").With("$limit", limit);
        var result = new List<PendingGuardCheck>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
            result.Add(new PendingGuardCheck(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2)));
        return result;
    }

    public async Task DoneAsync(IReadOnlyList<PendingGuardCheck> checks, CancellationToken cancellationToken = default)
    {
        if (checks.Count == 0)
            return;
        using (await writeGate.EnterAsync(cancellationToken))
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = connection.BeginTransaction();
            await using var delete = connection.Command("DELETE FROM guard_pending WHERE touch = $touch", transaction);
            var touch = delete.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter("$touch", 0L));
            foreach (var check in checks)
            {
                touch.Value = check.Touch;
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
    }
}
