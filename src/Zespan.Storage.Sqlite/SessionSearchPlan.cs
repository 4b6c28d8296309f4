using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The exact totalCount and the page's index for a q= the search index answers (three characters or more, or one or two
/// by the gram index of migration 350), beside any other filter. The index holds the status and the start day
/// (migrations 280, 340): the matches that can meet them are counted without reading a row (SessionSearchDays), and only the days a time range cuts are tested row by row. Another
/// dimension (turns, active time) is tested on each of those matches' rows, or — a user — on the user's own sessions when
/// they are fewer than the matches (a user has a handful; a common word has tens of thousands). Why: q=refund with
/// last 7 days looked up each of 84 k matches (150 ms of CPU at 1 M sessions) where 20 k fall in the range; with a user,
/// the whole match list was built to keep five sessions.
/// Costs are in row reads, as in SessionRowPlan.
/// </summary>
internal static class SessionSearchPlan
{
    /// <summary>Rows read for about the cost of counting a common word's matches in the index (~80 k a few ms).</summary>
    private const long FewRows = 1_000;

    /// <summary>
    /// Sessions per pending gram document at which the list stops using the gram index: each pending document is
    /// LIKE-tested through two row lookups (document, session), each worth ~4 rows of a scan (1.2 µs against ~0.3 µs at
    /// 1 M sessions), and counted and paged separately, so 1 in 20 costs about half the scan.
    /// </summary>
    private const long SessionsPerPending = 20;

    private static async Task<SessionRowPlan.Plan> UsersSessionsAsync(SqliteConnection connection, long projectId, SessionFilter filter, CancellationToken cancellationToken)
    {
        var byUser = SessionRowPlan.Hint("sessions_by_user");
        return new(await SqliteSessionReader.CountAsync(connection, projectId, filter, cancellationToken, byUser, TextAs.RowTest), byUser, TextAs.RowTest);
    }

    public static async Task<SessionRowPlan.Plan> ChooseAsync(SqliteConnection connection, long projectId, SessionQuery query, string text, CancellationToken cancellationToken)
    {
        var filter = query.Filter;
        var sessions = await SqliteSessionReader.ProjectSessionsAsync(connection, projectId, cancellationToken);
        var ranges = SessionSearchDays.Of(filter);
        long? usersSessions = null;
        if (filter.UserId is { } user)
        {
            // A user's sessions, LIKE-tested row by row: a handful are fewer row reads than counting any common match.
            usersSessions = await SqliteSessionReader.CountAsync(connection, projectId, new SessionFilter { UserId = user }, cancellationToken, SessionRowPlan.Hint("sessions_by_user"));
            if (usersSessions <= FewRows)
                return await UsersSessionsAsync(connection, projectId, filter, cancellationToken);
        }
        // The gram index's backlog (right after migration 350, before the indexer has caught up): the LIKE scan, as before.
        if (SessionSearch.ByGrams(text) && await SessionSearch.ManyPendingAsync(connection, projectId, Math.Max(FewRows, sessions / SessionsPerPending), cancellationToken))
            return new(await SqliteSessionReader.CountAsync(connection, projectId, filter, cancellationToken, textAs: TextAs.RowTest), "", TextAs.RowTest);
        // Turns or active time beside q=: from the matches' figures (migration 360), unless the indexer is far behind.
        if (!SessionSearch.Holds.Supports(filter) && await FactsReadableAsync(connection, projectId, filter, cancellationToken, sessions))
            return await FromFactsAsync(connection, projectId, query, sessions, cancellationToken);
        // The matches in the status half and the days the time range touches: what reading the matches costs.
        var indexed = (await SessionSearch.CountAsync(connection, projectId, text, ranges, cancellationToken))!.Value;
        // The smaller side: the user's sessions tested row by row, or the matches looked up one by one.
        if (usersSessions <= SessionRowPlan.IndexedMatchCost * indexed)
            return await UsersSessionsAsync(connection, projectId, filter, cancellationToken);

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
        // Walk the sort index LIKE-testing each row when that is expected to find a page sooner than reading the matches;
        // bounded by what reading them costs, so a filter correlated with the sort key (few turns, sorted by cost) costs
        // at most twice that instead of a walk through most sessions.
        var readMatches = SessionRowPlan.IndexedMatchCost * indexed;
        return SessionRowPlan.WalkCost(query, sessions, total) < readMatches
            ? new(total, SessionRowPlan.Hint(SessionSql.SortIndex(query.Sort)), TextAs.RowTest, WalkBudget: (long)Math.Ceiling(readMatches))
            : new(total, "", TextAs.Joined);
    }

    /// <summary>
    /// Whether the matches' figures (SessionSearchFacts) can answer an indexed q= beside the filter: no user, and the
    /// indexer's backlog of the project (pending documents, each read through its session row) under one per 20 sessions.
    /// </summary>
    internal static async Task<bool> FactsReadableAsync(SqliteConnection connection, long projectId, SessionFilter filter, CancellationToken cancellationToken, long? sessions = null) =>
        filter.UserId is null && SessionSearchFacts.Holds.Supports(filter)
        && !await SessionSearchFacts.ManyPendingAsync(connection, projectId,
            Math.Max(FewRows, (sessions ?? await SqliteSessionReader.ProjectSessionsAsync(connection, projectId, cancellationToken)) / SessionsPerPending), cancellationToken);

    /// <summary>
    /// Figures seeks (session_search_facts, by document id, in the index's order) for the cost of one row read of a walk:
    /// ~0.3 µs against ~1.2 µs at 1 M sessions (docs/benchmarks.md, migration 360).
    /// </summary>
    private const double FactSeeksPerRow = 4;

    /// <summary>
    /// The count from the matches' figures; the page by walking the sort index LIKE-testing each row when that is expected
    /// to find it sooner than reading the figures (a rare filter sorted by start), bounded by what reading them costs, else
    /// from the figures keys first (sorted by a figure) or the matches joined with their rows (any other sort). The walk
    /// of a first page is not started when the first match in the sort order (from the count) lies beyond its budget: a
    /// filter correlated with the sort key (few turns, sorted by cost descending) would pass the whole budget finding none.
    /// </summary>
    private static async Task<SessionRowPlan.Plan> FromFactsAsync(SqliteConnection connection, long projectId, SessionQuery query, long sessions, CancellationToken cancellationToken)
    {
        // The banded reading (bands, pieces, the project's highest figure) worked out once: the count and the page read it.
        var bands = SessionSearchBands.Read(connection, projectId, query.Filter);
        // Counted inside the turns bands' index when it can be (no first-match hint then: a walk is bounded by its budget).
        var inBands = await SessionSearchFacts.CountInBandsAsync(connection, projectId, query.Filter, bands, cancellationToken);
        // A first page by cost beside a few turn counts: their matches walked in one merged cost order (SessionTurnsWalk).
        if (inBands is { } counted && SessionTurnsWalk.Applies(query, bands))
            return new(counted, "", TextAs.Facts, TurnsWalkBudget: SessionTurnsWalk.Budget(query, counted), Bands: bands);
        var (total, matches, first) = inBands is { } n
            ? (n, n, null)
            : await SessionSearchFacts.CountAsync(connection, projectId, query.Filter, bands, query, cancellationToken);
        var (read, readAs) = SessionSearchFacts.Orders(query.Sort)
            ? ((matches + total) / FactSeeksPerRow, TextAs.Facts)
            : (SessionRowPlan.IndexedMatchCost * matches, TextAs.Joined);
        // The walk's estimate assumes the filter independent of the sort key; when they are correlated (few turns are the
        // cheap sessions) it passes most sessions, so it stops at a few times its estimate, not at the full reading cost.
        var walk = SessionRowPlan.WalkCost(query, sessions, total);
        var budget = (long)Math.Ceiling(Math.Min(read, SessionRowPlan.WalkMargin * walk));
        // The hint is about a walk from the start of the order: a later page's walk starts at its cursor.
        return walk < read && !AgainstTurns(query) && (first is not { } firstDocument || query.After is not null || await WalkedBeforeAsync(connection, projectId, query, firstDocument, budget, cancellationToken) < budget)
            ? new(total, SessionRowPlan.Hint(SessionSql.SortIndex(query.Sort)), TextAs.RowTest, WalkBudget: budget, WalkFallback: readAs, Bands: bands)
            : new(total, "", readAs, Bands: bands);
    }

    /// <summary>
    /// Whether a walk along the sort index meets the sessions the turns bound keeps last: cost and active time grow with
    /// every call, so a maximum of turns sorted by either descending (or a minimum ascending) keeps the sessions at the
    /// far end. Known without the first-match hint, which the count inside the turns bands does not give: q=refund &amp;
    /// maxTurns=3 by cost found its 51st match 716 k sessions down the cost order (1 M sessions).
    /// Kept rather than replaced by a first-match hint from the banded count (measured at 1 M sessions, session 16, load
    /// 10–14, wall median of 5): without it and with no hint, q=refund &amp; maxTurns=20 by cost took 224 ms against 180,
    /// and maxTurns=3 by active time 121 against 49 — each walk spent its budget and the page was read from the figures
    /// anyway. Their first matches lie 35.9 k and 368 k sessions down those orders, so a hint would decline both walks;
    /// but the counted bands give one cheaply only for the cost order (the top entry of each turn count along
    /// session_search_band_entries_by_cost, a seek per turn count) and not for active time (no index of turns and
    /// active time), and where the rule declines a walk a hint would add its count along the sort index (up to the
    /// budget's entries) for the same page; so the rule stays, and needs no hint. (maxTurns=20 by cost has since been
    /// read by SessionTurnsWalk, before this rule is asked: session 16, branch h18w.)
    /// </summary>
    private static bool AgainstTurns(SessionQuery query) =>
        query.Sort is SessionSort.CostUsd or SessionSort.ActiveDurationMs
        && (query.Descending ? query.Filter.MaxTurns is not null : query.Filter.MinTurns is not null);

    /// <summary>
    /// How many sessions a walk along the sort index (with the filter's time range and status, as the walk seeks) passes
    /// before the session of search document <paramref name="first"/>, counting at most <paramref name="budget"/> index entries.
    /// </summary>
    private static async Task<long> WalkedBeforeAsync(SqliteConnection connection, long projectId, SessionQuery query, long first, long budget, CancellationToken cancellationToken)
    {
        var key = SessionSql.SortKey(query.Sort);
        await using var count = connection.CreateCommand();
        count.With("$p", projectId).With("$budget", budget);
        // Its keys bound as values, as the keyset cursor's are: compared with a subquery, the cost order's virtual columns
        // were read row by row (0.4 s at 1 M sessions) instead of seeking in the index.
        await using (var keys = connection.Command($"""
            SELECT {string.Join(", ", key)} FROM session_search_docs d CROSS JOIN sessions s ON s.project_id = d.project_id AND s.session_id = d.session_id
            WHERE d.id = $first AND d.project_id = $p
            """).With("$p", projectId).With("$first", first))
        await using (var reader = await keys.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
                return 0; // deleted since the count: no hint
            for (var i = 0; i < key.Length; i++)
                count.With($"$key{i}", reader.GetValue(i));
        }
        // Per key column, the entries equal on the keys before it and beyond it on this one: each an equality and one
        // inequality (0.3 ms by start at 1 M sessions; by cost 15 ms for 6.2 k entries at load 20, the virtual columns
        // computed per entry, against 19 ms as one row-value comparison). Ties on every key are not counted: a hint.
        var beyond = query.Descending ? ">" : "<";
        var seeks = new StringBuilder(); // the time range and status, as the walk seeks them; bound once
        SessionSql.AppendFilter(seeks, count, new SessionFilter { FromMs = query.Filter.FromMs, ToMs = query.Filter.ToMs, Status = query.Filter.Status });
        var ranges = key.Select((column, i) =>
        {
            var sql = new StringBuilder($"SELECT 1 FROM sessions s{SessionRowPlan.Hint(SessionSql.SortIndex(query.Sort))} WHERE s.project_id = $p");
            for (var j = 0; j < i; j++)
                sql.Append($" AND {key[j]} = $key{j}");
            sql.Append($" AND {column} {beyond} $key{i}{seeks}");
            return $"(SELECT count(*) FROM ({sql} LIMIT $budget))";
        });
        count.CommandText = $"SELECT {string.Join(" + ", ranges)}";
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }
}
