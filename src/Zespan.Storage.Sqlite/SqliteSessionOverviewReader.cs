using System.Text;
using Zespan.Core.Sessions;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The overview charts: the matching sessions' start, cost and turns streamed once (four integers per session: the cost
/// in its two parts, exact past $9,223,372.03 — migration 150) into <see cref="SessionOverview.Of"/>, the one definition;
/// unfiltered or by start range alone, the whole UTC days from the trends' rollups instead (<see cref="SessionOverviewRollup"/>), unless a
/// session's cost is past the 64-bit bound the cost bands hold.
/// </summary>
public sealed class SqliteSessionOverviewReader(SqliteDatabase database) : ISessionOverviewReader
{
    public async Task<SessionOverview> OverviewAsync(long projectId, SessionFilter filter, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (SessionOverviewRollup.Covers(filter) && !await OverBound.AnyAsync(connection, projectId, cancellationToken))
            return await SessionOverviewRollup.ReadAsync(connection, projectId, filter, cancellationToken);
        if (filter.Query is { } text && SessionSearch.Indexed(text) && await SessionSearchPlan.FactsReadableAsync(connection, projectId, filter, cancellationToken))
            return await ReadFactsAsync(connection, projectId, filter, cancellationToken);
        return await ReadSessionsAsync(connection, projectId, filter, cancellationToken);
    }

    /// <summary>
    /// The overview of a q= (beside a status, time range, turns or active time) from the matches' figures
    /// (SessionSearchFacts.From: the same columns, exact at every moment of the indexer), instead of every match's session
    /// row: q=refund at 1 M sessions read 84 k session rows, ~340–410 ms, for the chart above the list.
    /// </summary>
    private static async Task<SessionOverview> ReadFactsAsync(Microsoft.Data.Sqlite.SqliteConnection connection, long projectId, SessionFilter filter, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.With("$p", projectId);
        command.CommandText = $"SELECT s.started_ms, s.unpriced_calls < s.turns, s.cost_high, s.cost_pico, s.turns FROM {SessionSearchFacts.From(command, projectId, filter, SessionSearchBands.Read(connection, projectId, filter))}";
        return await ReadAsync(command, cancellationToken);
    }

    /// <summary>
    /// The overview read from every matching session (any filter). <paramref name="withinBound"/>: the caller knows no
    /// session of the project is past the 64-bit bound (<see cref="OverBound"/>), so cost_high is 0 and not read — then
    /// a start range is read from sessions_by_started alone, which carries every other column (no row lookups: the
    /// partial day of the rollup path, ~11 k sessions at a million).
    /// </summary>
    internal static async Task<SessionOverview> ReadSessionsAsync(Microsoft.Data.Sqlite.SqliteConnection connection, long projectId, SessionFilter filter, CancellationToken cancellationToken,
        Microsoft.Data.Sqlite.SqliteTransaction? transaction = null, bool withinBound = false)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var costHigh = withinBound ? "0" : "s.cost_high";
        var sql = new StringBuilder($"SELECT s.started_ms, s.unpriced_calls < s.turns, {costHigh}, s.cost_pico, s.turns FROM sessions s WHERE s.project_id = $p");
        command.With("$p", projectId);
        SessionSql.AppendFilter(sql, command, filter);
        command.CommandText = sql.ToString();
        return await ReadAsync(command, cancellationToken);
    }

    /// <summary>The overview of the rows of a command selecting start, priced, cost in two parts and turns.</summary>
    private static async Task<SessionOverview> ReadAsync(Microsoft.Data.Sqlite.SqliteCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<(long, Int128?, int)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (reader.Read()) // synchronous: Microsoft.Data.Sqlite steps synchronously anyway, and this runs per session
                rows.Add((reader.GetInt64(0), reader.GetInt64(1) != 0 ? ExactSum.Join(reader.GetInt64(2), reader.GetInt64(3)) : null, reader.GetInt32(4)));
        }
        return SessionOverview.Of(rows);
    }
}
