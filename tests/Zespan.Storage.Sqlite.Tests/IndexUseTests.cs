using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// Every index on the rows the writer inserts (spans, sessions, traces, session tags and metadata, trace models) costs
/// the writer a B-tree insert per row or change, so each must be read by some statement. Each index here is listed with the statement
/// that reads it: through SQLite's own plan (the plan is asserted: a dropped or changed index changes it) or by name
/// (INDEXED BY, which fails to prepare when the index is gone). A new index, or one dropped, fails the schema check until
/// it is listed with its reader (issue 15: which of the writer's indexes serve nothing; docs/benchmarks.md).
/// </summary>
public sealed class IndexUseTests
{
    /// <summary>Indexes chosen by SQLite's planner, each with a statement of ours whose plan reads it.</summary>
    private static IEnumerable<(string Index, string Sql)> Planned(SqliteCommand userFilter) =>
    [
        // Retention's sweep of the oldest spans, and a cost breakdown's partial hours.
        ("spans_by_start", SqliteRetentionStore.OldestSql),
        ("spans_by_start", SqliteCostReader.RawByModel),
        // The session detail's timeline (and the session scan and activity fold, in the same order).
        ("spans_by_session", SqliteSessionReader.TimelineWithoutPayloads),
        // A span's stored parent, for trace-context inheritance; the index is also the span id's uniqueness.
        ("spans_by_id", "SELECT session_id, user_id FROM spans WHERE project_id = $p AND span_id = $id"),
        // The children waiting for a parent's context (a partial index: only spans that took context from their trace).
        ("spans_awaiting_context", "SELECT EXISTS (SELECT 1 FROM spans WHERE project_id = $p AND parent_id = $id AND context_from_trace = 1)"),
        // The sessions list and count filtered by user: SQLite's plan, no hint.
        ("sessions_by_user", userFilter.CommandText),
    ];

    /// <summary>Indexes named by INDEXED BY in the readers, and where.</summary>
    private static readonly Dictionary<string, string> Named = new()
    {
        ["sessions_by_started"] = "SessionSql.SortIndex (sort by start), SessionPagePlan, UserBreakdown, TokenOutlierSearch",
        ["sessions_by_duration"] = "SessionSql.SortIndex (sort by duration)",
        ["sessions_by_turns"] = "SessionSql.SortIndex (sort by turns), SessionPagePlan (minTurns)",
        ["sessions_by_cost"] = "SessionSql.SortIndex (sort by cost), OverBoundCostOrder, SessionCostPercentiles",
        ["sessions_by_tokens"] = "SessionSql.SortIndex (sort by tokens)",
        ["sessions_by_errors"] = "SessionSql.SortIndex (sort by errors), SessionPagePlan (status=error)",
        ["sessions_by_active"] = "SessionSql.SortIndex (sort by active time), SessionRowPlan, SessionActiveTimeCount",
        ["sessions_by_idle_gaps"] = "SessionSql.SortIndex (sort by idle gaps)",
        ["sessions_by_cost_band"] = "BandCosts (the costs page's exact percentiles)",
        ["sessions_over_bound"] = "OverBound (sessions past 2^63 picodollars)",
        ["sessions_by_tokens_per_turn"] = "TokenOutlierSearch (token outliers)",
        ["traces_by_id"] = "a trace by id: the upsert's conflict target and its counts (SpanWriteStatements), its row for the links (TraceSpanLinks, AggregateRebuilder, the trace detail), SumOnlyReplacement's update",
        ["traces_by_started"] = "SqliteTraceReader (the traces list)",
        ["traces_with_errors"] = "SqliteTraceReader (the traces list, status=error)",
        ["traces_by_user"] = "SqliteTraceReader (the traces list and count by user)",
        ["trace_models_by_started"] = "SqliteTraceReader (the traces list and count by model)",
        ["trace_models_with_errors"] = "SqliteTraceReader (the traces list and count by model, status=error)",
    };

    [Fact]
    public async Task EveryIndexOnTheWrittenRows_IsReadByAStatement()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p");
        var (storage, project) = (store.Storage, store.Project);
        // Some rows and fresh statistics, so the planner chooses as it does on a file in use.
        await storage.SpanWriter.WriteAsync(Enumerable.Range(0, 3_000)
            .Select(i => new ProjectSpan(project, TestSpans.Llm($"s{i}", $"session-{i % 500}", TestSpans.Day0 + i * 60_000,
                userId: $"user-{i % 50}", traceId: $"t{i % 700}")))
            .ToList());
        await storage.Database.OptimizeAsync();
        await using var connection = await storage.Database.OpenAsync();
        connection.Execute("ANALYZE");

        await using var userFilter = connection.CreateCommand();
        var userSql = new StringBuilder("SELECT COUNT(*) FROM sessions s WHERE s.project_id = $p");
        SessionSql.AppendFilter(userSql, userFilter, new SessionFilter { UserId = "user-7" });
        userFilter.CommandText = userSql.ToString();

        var planned = Planned(userFilter).ToList();
        foreach (var (index, sql) in planned)
        {
            var plan = connection.QueryPlan(sql);
            Assert.True(plan.Contains($"INDEX {index} ", StringComparison.Ordinal), $"{index} is not in the plan of\n{sql}\n{plan}");
        }

        // The indexes of the rows written per span or session, other than their primary keys.
        var indexes = await storage.Database.StringsAsync(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('spans', 'sessions', 'traces', 'session_tags', 'session_metadata', 'trace_models') AND sql IS NOT NULL");
        var listed = planned.Select(p => p.Index).Concat(Named.Keys).ToHashSet();
        Assert.Equal(listed.Order(), indexes.Order());
    }

}
