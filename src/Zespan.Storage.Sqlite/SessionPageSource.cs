using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Where one sessions page is read from: the filter, the index the planner chose and how q= is applied. Every read of a
/// page — the keyset walk and the exact over-bound cost order (<see cref="OverBoundCostOrder"/>) — goes through it, so
/// they apply the same filter the same way and differ only in their own condition and order.
/// </summary>
internal sealed record SessionPageSource(SqliteConnection Connection, long ProjectId, SessionFilter Filter, string IndexHint, TextAs TextAs)
{
    /// <summary>
    /// Matching sessions that also meet <paramref name="condition"/> (appended as " AND ..." and bound by it), in
    /// <paramref name="order"/>. indexHint: the page's index unless given (then "" lets SQLite choose, when q= joins).
    /// </summary>
    public async Task<List<SessionSummary>> ReadAsync(Action<StringBuilder, SqliteCommand> condition, string order, int limit, CancellationToken cancellationToken,
        string? indexHint = null)
    {
        await using var command = Connection.CreateCommand();
        command.With("$p", ProjectId);
        var from = TextAs == TextAs.Joined ? SessionSearch.JoinedFrom(command, Filter.Query!) : $"sessions s{indexHint ?? IndexHint}";
        var sql = new StringBuilder($"SELECT {SessionSql.Columns} FROM {from} WHERE s.project_id = $p");
        SessionSql.AppendFilter(sql, command, Filter, TextAs);
        condition(sql, command);
        sql.Append($" ORDER BY {order} LIMIT $limit");
        command.With("$limit", limit);
        command.CommandText = sql.ToString();

        var items = new List<SessionSummary>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            items.Add(SessionSql.Read(reader));
        return items;
    }
}
