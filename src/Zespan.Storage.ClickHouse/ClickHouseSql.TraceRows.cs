using System.Text;
using Zespan.Core.Spans;
using Zespan.Core.Traces;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// trace_rows (migration 009): one row per trace, written by <see cref="TraceRowKeeper"/> from <see cref="Traces"/> and
/// read by the traces list and its total. Like session_rows: each shard holds every version of its traces' rows, takes
/// the newest (FINAL) and applies the filters itself.
/// </summary>
public sealed partial class ClickHouseSql
{
    /// <summary>The c_* fields <see cref="Traces"/> groups: each argMax costs per row, so the recompute takes only these.</summary>
    private static readonly string[] TraceFields =
    [
        "c_trace", "c_name", "c_has_parent", "c_start", "c_end", "c_kind", "c_cost", "c_priced", "c_input", "c_output", "c_status",
        "c_user", "c_has_user", "c_session", "c_has_session", "c_model", "c_has_model", "c_deleted",
    ];

    /// <summary>
    /// One row per trace from the live spans among <paramref name="current"/> (each span's newest version): root (the
    /// earliest span without a parent, by start then span id), start, end, spans, LLM calls, the calls' exact cost as
    /// whole dollars and a picodollar rest (t_cost_usd, t_cost_rest: <see cref="ExactCostSum"/>), unpriced calls, tokens,
    /// errors, the user and the session of the earliest span that has one, and the models of its spans.
    /// </summary>
    private static string Traces(string current) => $"""
        SELECT c_trace AS t_id,
            argMinIf(c_name, tuple(c_start, span_id), c_has_parent = 0) AS t_root, max(c_has_parent = 0) AS t_has_root,
            min(c_start) AS t_started, max(c_end) AS t_ended, count() AS t_spans, countIf(c_kind = 1) AS t_llm,
            sumIf({Dollars("c_cost")}, c_kind = 1) AS t_cost_usd, sumIf({Rest("c_cost")}, c_kind = 1) AS t_cost_rest,
            countIf(c_kind = 1 AND c_priced = 0) AS t_unpriced,
            sumIf(c_input + c_output, c_kind = 1) AS t_tokens, countIf(c_status = 1) AS t_errors,
            argMinIf(c_user, tuple(c_start, span_id), c_has_user = 1) AS t_user, max(c_has_user) AS t_has_user,
            argMinIf(c_session, tuple(c_start, span_id), c_has_session = 1) AS t_session, max(c_has_session) AS t_has_session,
            groupUniqArrayIf(c_model, c_has_model = 1) AS t_models
        FROM ({current})
        WHERE c_deleted = 0
        GROUP BY c_trace
        """;

    /// <summary>The columns of trace_rows a recompute writes, in the order its SELECT gives them.</summary>
    public const string TraceRowColumns = "project_id, trace_id, root_name, has_root, started_ms, ended_ms, spans, llm_calls, cost_usd, cost_pico, "
        + "unpriced, tokens, errors, user_id, has_user, session_id, has_session, models, version, deleted";

    /// <summary>
    /// trace_rows' columns from a <see cref="Traces"/> row (or, when the trace has no live span, the defaults an ANY LEFT
    /// JOIN leaves: no spans, so deleted), in the order of <see cref="TraceRowColumns"/>.
    /// </summary>
    private const string TraceRowValues = """
        {project:Int64} AS project_id, t_id AS trace_id, t_root AS root_name, toUInt8(t_has_root) AS has_root,
            toInt64(t_started) AS started_ms, toInt64(t_ended) AS ended_ms, toInt64(t_spans) AS spans, toInt64(t_llm) AS llm_calls,
            toInt64(t_cost_usd) AS cost_usd, toInt64(t_cost_rest) AS cost_pico, toInt64(t_unpriced) AS unpriced, toInt64(t_tokens) AS tokens,
            toInt64(t_errors) AS errors, t_user AS user_id, toUInt8(t_has_user) AS has_user, t_session AS session_id,
            toUInt8(t_has_session) AS has_session, t_models AS models, {version:UInt64} AS version, toUInt8(t_spans = 0) AS deleted
        """;

    /// <summary>
    /// The rows of the traces {traces:Array(String)} as they are now, one per trace named (a deleted one for a trace with
    /// no live span left: the defaults an ANY LEFT JOIN leaves, no spans). Their spans are {ids:Array(String)}: every span
    /// that has had a version in one of them (<see cref="SpanIdsOfTraces"/>), each read from the rows of every session it
    /// has had a version in ({sessions:Array(String)}, <see cref="SessionsOfSpans"/>) through the sort key, which hold every
    /// version of it, so its newest version is exact; a span whose newest version is in another trace counts there only.
    /// {version:UInt64}: the recompute's version.
    /// </summary>
    public string TraceRowsOf => $"""
        SELECT {TraceRowValues}
        FROM (SELECT arrayJoin({"{traces:Array(String)}"}) AS t_id) AS r
        ANY LEFT JOIN (
            SELECT * FROM ({Traces(Current(SpansInTheirSessions, TraceFields, prewhere: true))})
            WHERE t_id IN (SELECT arrayJoin({"{traces:Array(String)}"}))
        ) AS t USING (t_id)
        """;

    /// <summary>
    /// The rows of every trace of the project whose id falls in share {share:UInt64} of {shares:UInt64} (by hash): the
    /// upgrade's fill (migration 009), a share at a time so that each statement groups a part of the spans. A trace's live
    /// spans all have a row in it (their newest version), so they are all candidates with every version of each.
    /// </summary>
    public string TraceRowsOfShare => $"""
        SELECT {TraceRowValues}
        FROM ({Traces(Current(SpansWithRowsWhere(InShare("trace_id")), TraceFields, prewhere: false))})
        WHERE {InShare("t_id")}
        """;

    private static string InShare(string traceId) => $"cityHash64({traceId}) % {{shares:UInt64}} = {{share:UInt64}}";

    public string InsertTraceRows(string select) => $"INSERT INTO {database}.trace_rows ({TraceRowColumns}) {select}";

    /// <summary>How many span rows the project has: the fill splits its traces into shares of about a million rows.</summary>
    public string SpanRowsOfProject => $"SELECT count() FROM {Spans} WHERE project_id = {{project:Int64}} FORMAT JSONCompact";

    /// <summary>The traces with a row in the months {months:Array(Int64)}: retention recomputes them after dropping the months.</summary>
    public string TracesInMonths =>
        $"SELECT DISTINCT trace_id FROM {Spans} WHERE project_id = {{project:Int64}} AND has({{months:Array(Int64)}}, toInt64({string.Format(MonthOf, "start_ms")})) "
        + "AND trace_id != '' FORMAT JSONCompact";

    /// <summary>Each of the traces {traces:Array(String)} with every span that has had a version in it (trace_spans, by trace id).</summary>
    public string SpanIdsOfTraces =>
        $"SELECT DISTINCT trace_id, span_id FROM {database}.trace_spans WHERE project_id = {{project:Int64}} AND trace_id IN (SELECT arrayJoin({{traces:Array(String)}})) FORMAT JSONCompact";

    /// <summary>The columns of a trace as the list reads it (<see cref="ClickHouseTraceReader"/>), from trace_rows.</summary>
    private const string NewestTraceColumns = "trace_id AS t_id, root_name AS t_root, has_root AS t_has_root, started_ms AS t_started, ended_ms AS t_ended, "
        + "spans AS t_spans, llm_calls AS t_llm, cost_usd AS t_cost_usd, cost_pico AS t_cost_rest, unpriced AS t_unpriced, tokens AS t_tokens, "
        + "errors AS t_errors, user_id AS t_user, has_user AS t_has_user, session_id AS t_session, has_session AS t_has_session";

    public const string TraceColumns = "t_id, t_root, t_has_root, t_started, t_ended, t_spans, t_llm, t_cost_usd, t_cost_rest, t_unpriced, t_tokens, t_errors, t_user, t_has_user, t_session, t_has_session";

    /// <summary>
    /// " AND …" on trace_rows' columns for the query's filters and, with <paramref name="afterCursor"/>, its keyset
    /// position; the values are the placeholders <see cref="TraceParameters"/> fills.
    /// </summary>
    private static string TraceConditions(TraceQuery query, bool afterCursor)
    {
        var sql = new StringBuilder();
        if (query.FromMs is not null) sql.Append(" AND started_ms >= {from:Int64}");
        if (query.ToMs is not null) sql.Append(" AND started_ms < {to:Int64}");
        if (query.UserId is not null) sql.Append(" AND has_user = 1 AND user_id = {user:String}");
        if (query.SessionId is not null) sql.Append(" AND has_session = 1 AND session_id = {session:String}");
        if (query.Model is not null) sql.Append(" AND has(models, {model:String})");
        if (query.Status == SpanStatus.Ok) sql.Append(" AND errors = 0");
        if (query.Status == SpanStatus.Error) sql.Append(" AND errors > 0");
        if (afterCursor)
            sql.Append(" AND ").Append(Beyond(["started_ms", "trace_id"], ["{after_started:Int64}", "{after_id:String}"], query.OldestFirst ? ">" : "<"));
        return sql.ToString();
    }

    public static void TraceParameters(TraceQuery query, Dictionary<string, object?> parameters)
    {
        if (query.FromMs is { } from) parameters["from"] = from;
        if (query.ToMs is { } to) parameters["to"] = to;
        if (query.UserId is { } user) parameters["user"] = user;
        if (query.SessionId is { } session) parameters["session"] = session;
        if (query.Model is { } model) parameters["model"] = model;
        if (query.After is { } after)
        {
            parameters["after_started"] = after.StartedMs;
            parameters["after_id"] = after.TraceId;
        }
    }

    private static string TraceOrder(TraceQuery query, string started, string id) =>
        query.OldestFirst ? $" ORDER BY {started} ASC, {id} ASC" : $" ORDER BY {started} DESC, {id} DESC";

    /// <summary>The live traces' newest rows matching the query (FINAL; the conditions after the merge, see <see cref="NewestSessionRows"/>).</summary>
    private string NewestTraceRows(TraceQuery query, bool afterCursor, string onKey = "") =>
        $"SELECT {NewestTraceColumns} FROM {database}.trace_rows FINAL PREWHERE project_id = {{project:Int64}}{onKey} "
        + $"WHERE deleted = 0{TraceConditions(query, afterCursor)}{TraceOrder(query, "started_ms", "trace_id")} LIMIT {{limit:Count}}";

    /// <summary>A page of the traces list: each shard sends its own first page of its newest rows, merged here.</summary>
    public string TracePage(TraceQuery query, bool afterCursor) =>
        $"SELECT {TraceColumns} FROM ({NewestTraceRows(query, afterCursor, TracesWithVersionMatching(query))}){TraceOrder(query, "t_started", "t_id")} LIMIT {{limit:Count}}"
        + $"{ShardLocalWithSubqueries} FORMAT JSONCompact";

    /// <summary>
    /// A condition on the sort key (" AND …", or none) that the statements over the traces matching
    /// <paramref name="query"/> put before FINAL, as <see cref="WithVersionMatching"/> does for sessions: when the query
    /// names a user or a session, FINAL merges only the traces that have a live row version matching the filters, found
    /// first by a plain read. A trace's newest row is one of its versions, so no matching trace is missed; one user's or
    /// one session's traces are few, where merging every trace row (8.76 M at the issue's load) is most of the statement.
    /// </summary>
    private string TracesWithVersionMatching(TraceQuery query) =>
        query.UserId is null && query.SessionId is null
            ? ""
            : $" AND trace_id IN (SELECT trace_id FROM {database}.trace_rows WHERE project_id = {{project:Int64}} AND deleted = 0{TraceConditions(query, afterCursor: false)})";

    /// <summary>
    /// The first {candidates:Count} live row versions of the shard in the page's order (not only each trace's newest:
    /// no merge, and only the columns the order and the filters name): see <see cref="CandidatePage"/>.
    /// </summary>
    private string TraceRowVersions(TraceQuery query, bool afterCursor, string limit) =>
        $"SELECT trace_id, started_ms FROM {database}.trace_rows WHERE project_id = {{project:Int64}} AND deleted = 0{TraceConditions(query, afterCursor)}"
        + $"{TraceOrder(query, "started_ms", "trace_id")} LIMIT {limit}";

    /// <summary>
    /// The same page as <see cref="TracePage"/>, computed only from the traces among each shard's first
    /// {candidates:Count} matching row versions (<see cref="TraceRowVersions"/>), so a shard merges a few traces' rows
    /// instead of all of them (10 M at the issue's load). The IN subquery reads each shard's own rows
    /// (distributed_product_mode = 'local'), which hold every version of the traces it names.
    /// </summary>
    public string TracePageOfCandidates(TraceQuery query, bool afterCursor)
    {
        var candidates = $" AND trace_id IN (SELECT trace_id FROM ({TraceRowVersions(query, afterCursor, "{candidates:Count}")}))";
        return $"SELECT {TraceColumns} FROM ({NewestTraceRows(query, afterCursor, candidates)}){TraceOrder(query, "t_started", "t_id")} LIMIT {{limit:Count}}"
            + $"{ShardLocalWithSubqueries} FORMAT JSONCompact";
    }

    /// <summary>Each shard's row version at 0-based rank {threshold_at:Count} (its last candidate) as (start, trace id); none from a shard with fewer.</summary>
    public string TraceCandidateThresholds(TraceQuery query, bool afterCursor) =>
        $"SELECT started_ms, trace_id FROM ({TraceRowVersions(query, afterCursor, "{threshold_at:Count}, 1")}){ShardLocal} FORMAT JSONCompact";

    /// <summary>How many live traces match the query's filters, counted on each shard and summed.</summary>
    public string TraceCount(TraceQuery query) =>
        $"SELECT count() FROM {database}.trace_rows FINAL PREWHERE project_id = {{project:Int64}}{TracesWithVersionMatching(query)} "
        + $"WHERE deleted = 0{TraceConditions(query, afterCursor: false)} SETTINGS {ConditionsAfterFinal}, {SubqueriesOnOwnShard} FORMAT JSONCompact";

    /// <summary>The trace_rows statements, for the dialect check (the recomputes as their SELECTs).</summary>
    private IEnumerable<(string Name, string Sql)> TraceRowStatements()
    {
        yield return ("TraceRowsOf", TraceRowsOf + " FORMAT JSONCompact");
        yield return ("TraceRowsOfShare", TraceRowsOfShare + " FORMAT JSONCompact");
        yield return ("SpanRowsOfProject", SpanRowsOfProject);
        yield return ("SpanIdsOfTraces", SpanIdsOfTraces);
        yield return ("TracesInMonths", TracesInMonths);
        var everyFilter = new TraceQuery { FromMs = 1, ToMs = 2, UserId = "u", SessionId = "s", Model = "m", Status = SpanStatus.Error };
        foreach (var query in new[] { new TraceQuery(), everyFilter, everyFilter with { Status = SpanStatus.Ok } })
        {
            yield return ($"TraceCount filtered={query.FromMs is not null} status={query.Status}", TraceCount(query));
            foreach (var oldest in new[] { false, true })
                foreach (var after in new[] { false, true })
                {
                    var shape = $"filtered={query.FromMs is not null} status={query.Status} oldest={oldest} after={after}";
                    var ordered = query with { OldestFirst = oldest };
                    yield return ($"TracePage {shape}", TracePage(ordered, after));
                    yield return ($"TracePageOfCandidates {shape}", TracePageOfCandidates(ordered, after));
                    yield return ($"TraceCandidateThresholds {shape}", TraceCandidateThresholds(ordered, after));
                }
        }
    }
}
