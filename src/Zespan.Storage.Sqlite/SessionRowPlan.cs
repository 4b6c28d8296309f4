using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The exact totalCount and the page's index for the filters the hourly rollup does not hold: the active time (counted
/// along sessions_by_active, which carries the other filters' columns) and q= (counted in the search index, migration
/// 160). Why: SQLite, without statistics, read a 43 % active-time range row by row and sorted it (203 ms CPU at 100 k
/// sessions) where walking the start index stops after a page; and q= read a document row per match to count.
/// The page is then read either by walking the sort index, testing each visited row, which visits about
/// (rows wanted) × sessions / matches entries, or from the matches themselves, each looked up and the whole set sorted.
/// Costs are in row reads. Any other dimension (a user) is left to SQLite with a plain COUNT, as before.
/// </summary>
internal static class SessionRowPlan
{
    public readonly record struct Plan(long TotalCount, string IndexHint, bool TextAsRowTest);

    /// <summary>A match read from the search index costs its document row and its session row.</summary>
    private const double IndexedMatchCost = 2;

    public static async Task<Plan> ChooseAsync(SqliteConnection connection, long projectId, SessionQuery query, CancellationToken cancellationToken)
    {
        var filter = query.Filter;
        var byUser = filter.UserId is not null;
        if (filter.Query is { } text && await SessionSearch.CountAsync(connection, projectId, text, cancellationToken) is { } indexed)
        {
            var total = filter.ActiveDimensions == SessionDimensions.Text
                ? indexed
                : await SqliteSessionReader.CountAsync(connection, projectId, filter, cancellationToken);
            if (byUser)
                return new(total, "", false);
            var walk = await WalkCostAsync(connection, projectId, query, total, cancellationToken);
            return walk < IndexedMatchCost * indexed
                ? new(total, Hint(SessionSql.SortIndex(query.Sort)), true)
                : new(total, "", false);
        }
        if ((filter.ActiveDimensions & SessionDimensions.ActiveTime) != 0 && filter.Query is null && !byUser)
        {
            // Covering: sessions_by_active carries started_ms, error_count and turns (migration 080).
            var total = await SqliteSessionReader.CountAsync(connection, projectId, filter, cancellationToken, Hint("sessions_by_active"));
            if (query.Sort == SessionSort.ActiveDurationMs)
                return new(total, Hint("sessions_by_active"), false);
            var walk = await WalkCostAsync(connection, projectId, query, total, cancellationToken);
            return new(total, Hint(walk < total ? SessionSql.SortIndex(query.Sort) : "sessions_by_active"), false);
        }
        return new(await SqliteSessionReader.CountAsync(connection, projectId, filter, cancellationToken), "", false);
    }

    /// <summary>Rows read walking the sort index until a page (and the row telling whether there is a next) is found.</summary>
    private static async Task<double> WalkCostAsync(SqliteConnection connection, long projectId, SessionQuery query, long matching, CancellationToken cancellationToken)
    {
        var sessions = await SqliteSessionReader.ProjectSessionsAsync(connection, projectId, cancellationToken);
        return Math.Min(sessions, (query.Limit + 1.0) * sessions / Math.Max(matching, 1));
    }

    private static string Hint(string index) => $" INDEXED BY {index}";
}
