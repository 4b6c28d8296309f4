using Microsoft.Data.Sqlite;
using Zespan.Core;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The session and trace rows the writer keeps — merged batch by batch by SQL upserts, or rebuilt after a replaced span —
/// must equal <see cref="SessionFigures"/> / <see cref="TraceFigures"/> folded over the spans stored at that moment, in
/// every column: random spans, exact re-sends, changed re-sends that move a span to another session, trace, time or
/// user, late spans earlier than everything stored, ties on the millisecond with span ids that code point order and
/// UTF-16 order sort differently. The links from trace rows to span rows (trace_spans) and each trace's models with its
/// start (trace_models) follow every move, late span and changed model.
/// </summary>
public sealed class FoldConformanceTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(2026)]
    public async Task StoredRows_EqualTheFoldOfTheStoredSpans_AfterEveryBatch(int seed)
    {
        var random = new Random(seed);
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p");
        var (storage, project) = (store.Storage, store.Project);
        // "x\uE000…" sorts before "x\U0001F600…" by code point, after it by UTF-16 code unit.
        var ids = Enumerable.Range(0, 90).Select(i => (i % 3) switch { 0 => $"x\uE000{i / 3}", 1 => $"x\U0001F600{i / 3}", _ => $"x{i / 3}" }).ToArray();
        var stored = new Dictionary<string, SpanRecord>(StringComparer.Ordinal);
        for (var batch = 0; batch < 14; batch++)
        {
            var spans = new Dictionary<string, SpanRecord>(StringComparer.Ordinal);
            for (var n = random.Next(1, 30); n > 0; n--)
            {
                var id = ids[random.Next(ids.Length)];
                // An exact re-send (an SDK retry), a re-send that changes only sums, model and status (replaced in place), or a
                // new version of the span.
                spans[id] = stored.TryGetValue(id, out var old) && random.Next(2) == 0
                    ? random.Next(3) == 0 ? SumsChanged(random, old) : old
                    : RandomSpan(random, id, batch, late: batch > 6 && random.Next(3) == 0);
            }
            await storage.SpanWriter.WriteAsync([.. spans.Values.Select(s => new ProjectSpan(project, s))]);
            foreach (var (id, span) in spans)
                stored[id] = span;

            await using var connection = await storage.Database.OpenAsync();
            AssertSessions(connection, project, stored.Values, $"seed {seed}, batch {batch}");
            AssertTraces(connection, project, stored.Values, $"seed {seed}, batch {batch}");
            AssertTraceLinks(connection, $"seed {seed}, batch {batch}");
            AssertTraceModels(connection, $"seed {seed}, batch {batch}");
            AssertTraceHours(connection, $"seed {seed}, batch {batch}");
            AssertTraceModelHours(connection, $"seed {seed}, batch {batch}");
        }
    }

    /// <summary>The hour of a trace row's start (HourRange.Floor) in SQL, for the recomputations below.</summary>
    private static readonly string TraceHour = $"t.started_ms - ((t.started_ms % {HourRange.HourMs}) + {HourRange.HourMs}) % {HourRange.HourMs}";

    /// <summary>
    /// trace_counts_hourly holds, per project and hour, the trace rows that start in it and those with an errored span
    /// (SessionRollupDeltas.MoveTrace), recomputed here from the rows; hours whose counts went back to zero may stay.
    /// </summary>
    internal static void AssertTraceHours(SqliteConnection connection, string context) => AssertHourlyCounts(connection, context, "trace_counts_hourly", "the trace rows",
        $"SELECT t.project_id, {TraceHour} AS hour, COUNT(*) AS traces, SUM(t.error_count > 0) AS errored FROM traces t GROUP BY 1, 2");

    /// <summary>
    /// trace_model_counts_hourly holds, per project, model and hour, the traces with a span of that model that start in
    /// that hour and those of them with an errored span (TraceModels, SessionRollupDeltas.CountModelTrace), recomputed
    /// here from the spans and the trace rows, not from trace_models; hours whose counts went back to zero may stay.
    /// </summary>
    internal static void AssertTraceModelHours(SqliteConnection connection, string context) => AssertHourlyCounts(connection, context, "trace_model_counts_hourly", "the spans",
        $"""
        SELECT project_id, model, hour, COUNT(*) AS traces, SUM(errored) AS errored
        FROM (SELECT DISTINCT t.id, t.project_id, s.model, {TraceHour} AS hour, t.error_count > 0 AS errored
              FROM spans s JOIN traces t ON t.project_id = s.project_id AND t.trace_id = s.trace_id WHERE s.model IS NOT NULL)
        GROUP BY 1, 2, 3
        """);

    /// <summary>
    /// An hourly count table (its key columns, then traces and errored) equals the recomputation <paramref name="expected"/>
    /// (the same columns), but for rows whose counts are both zero; the message lists each row that differs.
    /// </summary>
    private static void AssertHourlyCounts(SqliteConnection connection, string context, string table, string source, string expected)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            WITH expected AS ({expected}),
                 stored AS (SELECT * FROM {table} WHERE traces <> 0 OR errored <> 0)
            SELECT 'stored', * FROM (SELECT * FROM stored EXCEPT SELECT * FROM expected)
            UNION ALL
            SELECT 'from {source}', * FROM (SELECT * FROM expected EXCEPT SELECT * FROM stored)
            """;
        using var reader = command.ExecuteReader();
        var wrong = new List<string>();
        while (reader.Read())
            wrong.Add(string.Join(' ', Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i))));
        Assert.True(wrong.Count == 0, $"{context}: {table} differs from {source} (key…, traces, errored): {string.Join("; ", wrong)}");
    }

    /// <summary>
    /// trace_models holds exactly one row per trace and model of any of its stored spans, with the trace row's number,
    /// project, start and errored mark (TraceModels), recomputed here from the spans and trace rows.
    /// </summary>
    internal static void AssertTraceModels(SqliteConnection connection, string context)
    {
        const string Expected = """
            SELECT DISTINCT t.id, s.model, t.project_id, t.started_ms, t.error_count > 0
            FROM spans s JOIN traces t ON t.project_id = s.project_id AND t.trace_id = s.trace_id WHERE s.model IS NOT NULL
            """;
        const string Stored = "SELECT trace_row, model, project_id, started_ms, errored FROM trace_models";
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT (SELECT COUNT(*) FROM ({Expected})), (SELECT COUNT(*) FROM trace_models),
                   (SELECT COUNT(*) FROM ({Expected} INTERSECT {Stored}))
            """;
        using var reader = command.ExecuteReader();
        reader.Read();
        var (expected, stored, matching) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        Assert.True(expected == stored && matching == expected,
            $"{context}: {stored} trace model rows for {expected} (trace, model) pairs of the spans, {matching} of them equal");
    }

    /// <summary>Each span is linked to the row of its trace and to no other (trace_spans, TraceSpanLinks).</summary>
    internal static void AssertTraceLinks(SqliteConnection connection, string context)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT COUNT(*) FROM trace_spans),
                   (SELECT COUNT(*) FROM spans),
                   (SELECT COUNT(*) FROM (SELECT t.id, s.id FROM spans s JOIN traces t ON t.project_id = s.project_id AND t.trace_id = s.trace_id
                                          INTERSECT SELECT trace_row, span_row FROM trace_spans)),
                   (SELECT COUNT(*) FROM traces WHERE span_count = 0)
            """;
        using var reader = command.ExecuteReader();
        reader.Read();
        var (links, spans, matching, emptyTraces) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        Assert.True(links == spans && matching == spans && emptyTraces == 0,
            $"{context}: {links} links, {spans} spans, {matching} links to the span's own trace row, {emptyTraces} trace rows without spans");
    }

    private static SpanRecord SumsChanged(Random random, SpanRecord span) => span.Kind != SpanKind.Llm ? span : span with
    {
        Model = random.Next(2) == 0 ? span.Model : span.Model == "gpt-4o" ? "gpt-4o-mini" : "gpt-4o",
        Status = random.Next(3) == 0 ? SpanStatus.Error : SpanStatus.Ok,
        Usage = new TokenUsage(random.Next(1, 2_000), random.Next(0, 800), 0, 0),
        CostPico = random.Next(4) != 0 ? random.NextInt64(0, 3_000_000_000) : null,
    };

    private static SpanRecord RandomSpan(Random random, string id, int batch, bool late)
    {
        var llm = random.Next(4) != 0;
        // Time moves on a little per batch, and a batch's seconds overlap the previous one's: most batches extend the
        // stored rows (the upsert merges), some reach back before a stored call (the rebuild), and ties on the start are
        // common. A late span starts before everything else.
        var start = Day0 + (late ? -random.Next(1, 5) * 1_000L : (batch * 3 + random.Next(0, 5)) * 1_000L);
        return new SpanRecord
        {
            Id = id,
            TraceId = $"t{random.Next(5)}",
            ParentId = random.Next(3) == 0 ? null : "parent",
            SessionId = random.Next(6) == 0 ? null : $"s{random.Next(4)}",
            UserId = random.Next(3) == 0 ? null : random.Next(2) == 0 ? $"u\uE000{random.Next(2)}" : $"u\U0001F600{random.Next(2)}",
            SessionName = llm && random.Next(5) == 0 ? $"name-{random.Next(3)}" : null,
            Name = $"step-{random.Next(3)}",
            Kind = llm ? SpanKind.Llm : SpanKind.Span,
            // A changed re-send may change only the model: the trace's models follow (a sum-only replacement).
            Model = llm ? (random.Next(3) == 0 ? "gpt-4o-mini" : "gpt-4o") : null,
            StartMs = start,
            EndMs = start + random.Next(0, 400_000),
            Usage = llm ? new TokenUsage(random.Next(1, 2_000), random.Next(0, 800), 0, 0) : default,
            CostPico = llm && random.Next(4) != 0 ? random.NextInt64(0, 3_000_000_000) : null,
            Status = random.Next(5) == 0 ? SpanStatus.Error : SpanStatus.Ok,
        };
    }

    private static void AssertSessions(SqliteConnection connection, long project, IEnumerable<SpanRecord> spans, string context)
    {
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var session in spans.Where(s => s.Kind == SpanKind.Llm && s.SessionId is not null).GroupBy(s => s.SessionId!, StringComparer.Ordinal))
        {
            var f = SessionFigures.Of(session);
            var calls = session.OrderBy(s => s.StartMs).ThenBy(s => s.Id, CodePointOrder.Instance).Select(s => (s.StartMs, s.EndMs));
            var activity = SessionActivity.Of(calls, SessionActivity.DefaultIdleGapMs)!.Value;
            var name = f.ExplicitName;
            expected[session.Key] = Row(f.User.Value, f.User.HasValue ? f.User.StartMs : null, f.User.SpanId, f.StartedMs, f.EndedMs, f.DurationMs, f.Turns,
                (long)f.CostPico, f.UnpricedCalls, f.InputTokens, f.OutputTokens, f.TotalTokens, f.Errors, f.LatencySumMs,
                activity.IdleMs, activity.IdleGaps, activity.LastStartMs, name.Value, name.HasValue ? 1 : 0, name.HasValue ? name.StartMs : null, name.SpanId);
        }
        var actual = Read(connection, project, """
            SELECT session_id, user_id, user_start_ms, user_span_id, started_ms, ended_ms, duration_ms, turns, cost_pico, unpriced_calls, input_tokens,
                   output_tokens, total_tokens, error_count, latency_sum_ms, idle_ms, idle_gaps, last_start_ms, name, name_explicit, name_start_ms, name_span_id
            FROM sessions WHERE project_id = $p
            """);
        AssertEqual(expected, actual, context + " sessions");
    }

    private static void AssertTraces(SqliteConnection connection, long project, IEnumerable<SpanRecord> spans, string context)
    {
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var trace in spans.GroupBy(s => s.TraceId, StringComparer.Ordinal))
        {
            var f = TraceFigures.Of(trace);
            expected[trace.Key] = Row(f.Root.Value, f.Root.HasValue ? f.Root.StartMs : null, f.Root.SpanId, f.StartedMs, f.EndedMs, f.SpanCount, f.LlmCalls,
                (long)f.CostPico, f.UnpricedCalls, f.TotalTokens, f.Errors, f.User.Value, f.User.HasValue ? f.User.StartMs : null, f.User.SpanId,
                f.Session.Value, f.Session.HasValue ? f.Session.StartMs : null, f.Session.SpanId);
        }
        var actual = Read(connection, project, """
            SELECT trace_id, root_name, root_start_ms, root_span_id, started_ms, ended_ms, span_count, llm_calls, cost_pico, unpriced_calls, total_tokens,
                   error_count, user_id, user_start_ms, user_span_id, session_id, session_start_ms, session_span_id
            FROM traces WHERE project_id = $p
            """);
        AssertEqual(expected, actual, context + " traces");
    }

    private static string Row(params object?[] values) => string.Join(" | ", values.Select(v => v?.ToString() ?? "null"));

    private static Dictionary<string, string> Read(SqliteConnection connection, long project, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$p", project);
        using var reader = command.ExecuteReader();
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
            rows[reader.GetString(0)] = Row([.. Enumerable.Range(1, reader.FieldCount - 1).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i))]);
        return rows;
    }

    private static void AssertEqual(Dictionary<string, string> expected, Dictionary<string, string> actual, string context)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, row) in expected)
            Assert.True(row == actual[id], $"{context} '{id}':\n expected {row}\n   stored {actual[id]}");
    }
}
