using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;

namespace Zespan.Storage.Sqlite;

/// <summary>Trace queries: the list reads the trace aggregates, the detail reads every span of one trace.</summary>
public sealed class SqliteTraceReader(SqliteDatabase database) : ITraceReader
{
    /// <summary>
    /// The per-project counters (all traces, migration 183; traces with an error, 220) hold one number each: they answer
    /// the count when no dimension but the status is set.
    /// </summary>
    private const TraceDimensions TraceCounters = TraceDimensions.Status;

    /// <summary>
    /// With a time range, a model and a status or not, the count is the whole hours' counts (trace_counts_hourly,
    /// migration 500; by a model, trace_model_counts_hourly, 510) plus the traces of the partial hours at either end
    /// (HourRange), counted on covering indexes (traces_by_started, traces_with_errors; trace_models_by_started,
    /// trace_models_with_errors); status=ok is all of them minus the errored ones. No trace row is read.
    /// </summary>
    private const TraceDimensions HourlyCounted = TraceDimensions.Time | TraceDimensions.Status | TraceDimensions.Model;

    /// <summary>A model's traces in start order, and its errored traces alone (migration 480).</summary>
    private const string ModelTraces = "trace_models tm INDEXED BY trace_models_by_started";
    private const string ErroredModelTraces = "trace_models tm INDEXED BY trace_models_with_errors";

    /// <summary>
    /// What an hourly count reads: the hourly rows with their condition, the rows that start in a partial hour (all of
    /// them, the errored ones) with theirs, and the column of their start.
    /// </summary>
    private sealed record HourlySource(string Hours, string Rows, string ErroredRows, string Start);

    private static readonly HourlySource EveryTrace = new("trace_counts_hourly WHERE project_id = $p",
        "traces t WHERE t.project_id = $p", "traces t WHERE t.project_id = $p AND t.error_count > 0", "t.started_ms");

    private static readonly HourlySource OneModelsTraces = new("trace_model_counts_hourly WHERE project_id = $p AND model = $model",
        $"{ModelTraces} WHERE tm.project_id = $p AND tm.model = $model", $"{ErroredModelTraces} WHERE tm.project_id = $p AND tm.model = $model AND tm.errored = 1",
        "tm.started_ms");

    private const string AllTraces = "coalesce((SELECT traces FROM project_trace_counts WHERE project_id = $p), 0)";
    private const string ErroredTraces = "coalesce((SELECT traces FROM project_error_trace_counts WHERE project_id = $p), 0)";

    /// <summary>The conditions written below; a query with another dimension is refused rather than half applied.</summary>
    private const TraceDimensions Filtered = TraceDimensions.Time | TraceDimensions.User | TraceDimensions.Session | TraceDimensions.Status | TraceDimensions.Model;

    private const string Columns =
        "t.trace_id, t.root_name, t.started_ms, t.ended_ms, t.span_count, t.llm_calls, t.cost_pico, t.unpriced_calls, t.total_tokens, t.error_count, t.user_id, t.session_id, t.cost_high";

    public async Task<Page<TraceSummary>> ListAsync(long projectId, TraceQuery query, CancellationToken cancellationToken = default)
    {
        if (!Filtered.Supports(query))
            throw new NotSupportedException($"The traces query has {query.ActiveDimensions & ~Filtered}, which the SQL below does not filter by.");
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.With("$p", projectId);
        var (source, start, where, errored) = Source(query, command);
        if (query.FromMs is { } from) { where.Append($" AND {start} >= $from"); command.With("$from", from); }
        if (query.ToMs is { } to) { where.Append($" AND {start} < $to"); command.With("$to", to); }
        if (query.Status == SpanStatus.Error) where.Append(" AND ").Append(errored);
        if (query.Status == SpanStatus.Ok) where.Append(" AND t.error_count = 0");
        var countSql = CountSql(query, command, source, where.ToString());
        if (query.After is { } after)
        {
            // The bound on the start alone is what an index walk can seek to; the pair decides the ties.
            var (onward, past) = query.OldestFirst ? (">=", ">") : ("<=", "<");
            where.Append($" AND {start} {onward} $afterStart AND ({start}, t.trace_id) {past} ($afterStart, $afterId)");
            command.With("$afterStart", after.StartedMs).With("$afterId", after.TraceId);
        }
        command.CommandText = $"SELECT {Columns} FROM {source}{where} ORDER BY {(query.OldestFirst ? $"{start}, t.trace_id" : $"{start} DESC, t.trace_id DESC")} LIMIT $limit";
        command.With("$limit", query.Limit + 1);

        var items = new List<TraceSummary>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new TraceSummary(reader.GetString(0), reader.GetNullableString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt32(4),
                    reader.GetInt32(5), ExactSum.Join(reader.GetInt64(12), reader.GetInt64(6)), reader.GetInt32(7), reader.GetInt64(8), reader.GetInt32(9), reader.GetNullableString(10), reader.GetNullableString(11)));
            }
        }
        string? next = null;
        if (items.Count > query.Limit)
        {
            items.RemoveAt(items.Count - 1);
            next = TraceCursor.Encode(items[^1].StartedMs, items[^1].TraceId);
        }
        command.Parameters.Remove(command.Parameters["$limit"]);
        if (query.After is not null)
        {
            command.Parameters.Remove(command.Parameters["$afterStart"]);
            command.Parameters.Remove(command.Parameters["$afterId"]);
        }
        command.CommandText = countSql;
        var total = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new Page<TraceSummary>(items, next, total);
    }

    /// <summary>
    /// Where the list's rows come from, the column its time range and order go by, the conditions of the session, user
    /// and model on them, and the condition of status=error:
    /// <list type="bullet">
    /// <item>By a session: the traces of the session's spans (spans_by_session), each found by id, then kept when the
    /// session is the trace's own (that of its earliest span with one, which is one of these spans); a model is then
    /// looked up per trace (trace_models' key). A session's spans are fewer than a user's traces, so it goes first.</item>
    /// <item>By a user: the user's traces in start order (traces_by_user, migration 490); a model is looked up per trace.</item>
    /// <item>By a model: the model's traces in start order (trace_models, migration 480), its errored ones alone for
    /// status=error, each joined to its trace row by number. Their start is the row's, so the time range and the order
    /// are the same; ties on the start are put in trace id order as SQLite reads them (a sort of each run of equal
    /// starts, not of the whole list).</item>
    /// <item>Otherwise the trace rows in start order (traces_by_started, or traces_with_errors).</item>
    /// </list>
    /// </summary>
    private static (string Source, string Start, StringBuilder Where, string Errored) Source(TraceQuery query, SqliteCommand command)
    {
        if (query.Model is { } model)
            command.With("$model", model);
        if (query.UserId is { } user)
            command.With("$user", user);
        if (query.SessionId is { } session)
        {
            command.With("$session", session);
            var where = new StringBuilder("""
                 WHERE t.project_id = $p AND t.session_id = $session
                 AND t.trace_id IN (SELECT s.trace_id FROM spans s INDEXED BY spans_by_session WHERE s.project_id = $p AND s.session_id = $session)
                """.ReplaceLineEndings(" "));
            if (query.UserId is not null)
                where.Append(" AND t.user_id = $user");
            return ("traces t INDEXED BY traces_by_id", "t.started_ms", WithModel(query, where), "t.error_count > 0");
        }
        if (query.UserId is not null)
        {
            return ("traces t INDEXED BY traces_by_user", "t.started_ms", WithModel(query, new StringBuilder(" WHERE t.project_id = $p AND t.user_id = $user")),
                "t.error_count > 0");
        }
        if (query.Model is not null)
        {
            var models = query.Status == SpanStatus.Error ? ErroredModelTraces : ModelTraces;
            return ($"{models} CROSS JOIN traces t ON t.id = tm.trace_row", "tm.started_ms", new StringBuilder(" WHERE tm.project_id = $p AND tm.model = $model"), "tm.errored = 1");
        }
        return ("traces t", "t.started_ms", new StringBuilder(" WHERE t.project_id = $p"), "t.error_count > 0");
    }

    /// <summary>A model as a lookup per trace (trace_models' key), when another dimension chose the traces.</summary>
    private static StringBuilder WithModel(TraceQuery query, StringBuilder where) =>
        query.Model is null ? where : where.Append(" AND EXISTS (SELECT 1 FROM trace_models m WHERE m.trace_row = t.id AND m.model = $model)");

    /// <summary>
    /// The count of the filtered traces. Unfiltered or by status alone (the Traces view's default and its status menu):
    /// the writer's exact counters instead of walking millions of traces. By time, model and status alone: the hourly
    /// counts and the partial hours' rows. Any other filter, including one added later, counts the matching rows.
    /// </summary>
    private static string CountSql(TraceQuery query, SqliteCommand command, string source, string where)
    {
        if (TraceCounters.Supports(query))
            return ByStatus(query, AllTraces, ErroredTraces);
        if (HourlyCounted.Supports(query))
        {
            var (all, withErrors) = HourlyCounts(HourRange.Split(query.FromMs, query.ToMs), command, query.Model is null ? EveryTrace : OneModelsTraces);
            return ByStatus(query, all, withErrors);
        }
        return $"SELECT COUNT(*) FROM {source}{where}";
    }

    /// <summary>
    /// The count by status from two SQL expressions, the traces and the errored ones: status=ok is their difference.
    /// </summary>
    private static string ByStatus(TraceQuery query, string all, string errored) => query.Status switch
    {
        null => $"SELECT {all}",
        SpanStatus.Error => $"SELECT {errored}",
        _ => $"SELECT {all} - {errored}",
    };

    /// <summary>
    /// The count of a time range's traces (all, or one model's) as two SQL expressions, all and errored: the sums over
    /// its whole hours, plus the rows of each partial hour (the parameters are bound once for both).
    /// </summary>
    private static (string All, string Errored) HourlyCounts(HourRange range, SqliteCommand command, HourlySource source)
    {
        var hours = new StringBuilder();
        HourConditions.Append(hours, command, range.WholeFromMs, range.WholeToMs, "$hourFrom", "$hourTo");
        var edges = new List<string>();
        for (var i = 0; i < range.Edges.Count; i++)
        {
            var edge = new StringBuilder();
            if (range.Edges[i].FromMs is { } from)
            {
                edge.Append($" AND {source.Start} >= $edge{i}From");
                command.With($"$edge{i}From", from);
            }
            if (range.Edges[i].ToMs is { } to)
            {
                edge.Append($" AND {source.Start} < $edge{i}To");
                command.With($"$edge{i}To", to);
            }
            edges.Add(edge.ToString());
        }
        string Sum(string column, string rows)
        {
            var sql = new StringBuilder("(0");
            if (range.HasWholeHours)
                sql.Append($" + coalesce((SELECT sum({column}) FROM {source.Hours}{hours}), 0)");
            foreach (var edge in edges)
                sql.Append($" + (SELECT COUNT(*) FROM {rows}{edge})");
            return sql.Append(')').ToString();
        }
        return (Sum("traces", source.Rows), Sum("errored", source.ErroredRows));
    }

    public async Task<TraceDetail?> GetAsync(long projectId, string traceId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // The trace's spans through its links (migration 470).
        await using var command = connection.Command($"""
            SELECT {SpanRows.Columns} FROM {SpanRows.From}
            WHERE sp.id IN (SELECT span_row FROM trace_spans WHERE trace_row = (SELECT id FROM traces WHERE project_id = $p AND trace_id = $t))
            ORDER BY sp.start_ms, sp.span_id
            """);
        command.With("$p", projectId).With("$t", traceId);
        var spans = new List<SpanRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            spans.Add(SpanRows.Read(reader));
        return spans.Count == 0 ? null : new TraceDetail(traceId, spans);
    }
}
