using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The exact totalCount and the page's index for a q= the search index answers (three characters or more), beside any
/// other filter. The index holds the status and the start day (migrations 280, 340): the matches that can meet them are
/// counted without reading a row (SessionSearchDays), and only the days a time range cuts are tested row by row. Another
/// dimension (turns, active time) is tested on each of those matches' rows, or — a user — on the user's own sessions when
/// they are fewer than the matches (a user has a handful; a common word has tens of thousands). Why: q=refund with
/// last 7 days looked up each of 84 k matches (150 ms of CPU at 1 M sessions) where 20 k fall in the range; with a user,
/// the whole match list was built to keep five sessions.
/// Costs are in row reads, as in SessionRowPlan.
/// </summary>
internal static class SessionSearchPlan
{
    public static async Task<SessionRowPlan.Plan> ChooseAsync(SqliteConnection connection, long projectId, SessionQuery query, string text, CancellationToken cancellationToken)
    {
        var filter = query.Filter;
        var sessions = await SqliteSessionReader.ProjectSessionsAsync(connection, projectId, cancellationToken);
        var ranges = SessionSearchDays.Of(filter);
        // The matches in the status half and the days the time range touches: what reading the matches costs.
        var indexed = (await SessionSearch.CountAsync(connection, projectId, text, ranges, cancellationToken))!.Value;

        if (filter.UserId is { } user)
        {
            // A user's sessions, LIKE-tested row by row, against the matches looked up one by one: the smaller side.
            var byUser = SessionRowPlan.Hint("sessions_by_user");
            var usersSessions = await SqliteSessionReader.CountAsync(connection, projectId, new SessionFilter { UserId = user }, cancellationToken, byUser);
            if (usersSessions <= SessionRowPlan.IndexedMatchCost * indexed)
                return new(await SqliteSessionReader.CountAsync(connection, projectId, filter, cancellationToken, byUser, TextAs.RowTest), byUser, TextAs.RowTest);
        }

        long total;
        if (SessionSearch.Holds.Supports(filter))
        {
            // Whole days counted in the index; the cut days' matches (a day or two of the range) tested row by row.
            total = ranges.All(r => r.Whole)
                ? indexed
                : (await SessionSearch.CountAsync(connection, projectId, text, ranges.Where(r => r.Whole), cancellationToken))!.Value
                  + await SqliteSessionReader.CountAsync(connection, projectId, filter, cancellationToken, textAs: TextAs.Joined, cutDaysOnly: true);
        }
        else
        {
            // Few matches are counted by looking each up; many by letting SQLite probe them from the other filters' index
            // (a covering index entry costs about 1/LookupCost of a lookup).
            total = await SqliteSessionReader.CountAsync(connection, projectId, filter, cancellationToken,
                textAs: SessionRowPlan.IndexedMatchCost * indexed < sessions / SessionRowPlan.LookupCost ? TextAs.Joined : TextAs.Candidates);
        }
        if (filter.UserId is not null)
            return new(total, "", TextAs.Candidates);
        var walk = SessionRowPlan.WalkCost(query, sessions, total);
        return walk < SessionRowPlan.IndexedMatchCost * indexed
            ? new(total, SessionRowPlan.Hint(SessionSql.SortIndex(query.Sort)), TextAs.RowTest)
            : new(total, "", TextAs.Joined);
    }
}
