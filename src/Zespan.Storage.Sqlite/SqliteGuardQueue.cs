using Zespan.Core.Alerts;

namespace Zespan.Storage.Sqlite;

/// <summary>The guard's pending sessions (guard_pending, migration 141), filled by the span writer in the spans' own transaction.</summary>
public sealed class SqliteGuardQueue : IGuardQueue
{
    private readonly SqliteDatabase _database;
    private readonly SqliteWriteGate _writeGate;
    private readonly WriterConnection _writer;

    public SqliteGuardQueue(SqliteStorage storage)
    {
        _database = storage.Database;
        _writeGate = storage.WriteGate;
        _writer = storage.WriterConnection;
    }

    public async Task<IReadOnlyList<PendingGuardCheck>> PendingAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT touch, project_id, session_id FROM guard_pending ORDER BY touch LIMIT $limit").With("$limit", limit);
        var result = new List<PendingGuardCheck>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
            result.Add(new PendingGuardCheck(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2)));
        return result;
    }

    /// <summary>
    /// Removes the evaluated entries through the span writer's own connection: a commit from any other connection would
    /// make the writer drop its whole page cache before its next group (this runs after every commit that touched a session).
    /// </summary>
    public async Task DoneAsync(IReadOnlyList<PendingGuardCheck> checks, CancellationToken cancellationToken = default)
    {
        if (checks.Count == 0)
            return;
        using (await _writeGate.EnterAsync(cancellationToken))
        {
            var connection = await _writer.GetAsync(cancellationToken);
            try
            {
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
            catch
            {
                _writer.Discard();
                throw;
            }
        }
    }
}
