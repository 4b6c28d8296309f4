using System.Text;
using Zespan.Core.Sessions;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The overview charts: the matching sessions' start, cost and turns streamed once (three integers per session, read
/// through the covering sessions_by_started index) into <see cref="SessionOverview.Of"/>, the one definition.
/// </summary>
public sealed class SqliteSessionOverviewReader(SqliteDatabase database) : ISessionOverviewReader
{
    public async Task<SessionOverview> OverviewAsync(long projectId, SessionFilter filter, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT s.started_ms, CASE WHEN s.unpriced_calls < s.turns THEN s.cost_sort END, s.turns FROM sessions s WHERE s.project_id = $p");
        command.With("$p", projectId);
        SessionSql.AppendFilter(sql, command, filter);
        command.CommandText = sql.ToString();
        var rows = new List<(long, long?, int)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (reader.Read()) // synchronous: Microsoft.Data.Sqlite steps synchronously anyway, and this runs per session
                rows.Add((reader.GetInt64(0), reader.GetNullableInt64(1), reader.GetInt32(2)));
        }
        return SessionOverview.Of(rows);
    }
}
