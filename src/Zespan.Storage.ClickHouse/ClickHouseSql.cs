using System.Text;
using Zespan.Core;
using Zespan.Core.Sessions;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Every read statement of the backend, built here and nowhere else, so the dialect check can run each one on
/// ClickHouse 18.16 and 26 (see <see cref="AllForDialectCheck"/>). Values are <c>{name:Type}</c> placeholders bound by
/// <see cref="SqlBinder"/>; only the validated database name and fixed fragments are put into the text.
///
/// Span reads are exact under re-sends and several writers because they never trust a row on its own: <see cref="Current"/>
/// takes each span's newest version (argMax by version, across all shards), and every filter applies after that.
/// Session rows (ClickHouseSql.SessionRows.cs) are that definition's result per session, kept by the writer.
/// </summary>
public sealed partial class ClickHouseSql(string database)
{
    /// <summary>The span rows, sorted by (project, session, span): migration 003 moved them here from spans.</summary>
    private string Spans => database + ".session_spans";

    /// <summary>Each span field's newest value as <see cref="Current"/> names it: (alias, column of the span rows).</summary>
    private static readonly (string Alias, string Column)[] SpanFields =
    [
        ("c_trace", "trace_id"), ("c_has_parent", "has_parent"), ("c_parent", "parent_id"),
        ("c_session", "session_id"), ("c_has_session", "has_session"), ("c_user", "user_id"), ("c_has_user", "has_user"),
        ("c_name", "name"), ("c_kind", "kind"), ("c_model", "model"), ("c_has_model", "has_model"),
        ("c_provider", "provider"), ("c_has_provider", "has_provider"), ("c_start", "start_ms"), ("c_end", "end_ms"),
        ("c_input", "input_tokens"), ("c_output", "output_tokens"), ("c_cached", "cached_input_tokens"), ("c_reasoning", "reasoning_tokens"),
        ("c_cost", "cost_pico"), ("c_priced", "priced"), ("c_cost_source", "cost_source"),
        ("c_status", "status"), ("c_error", "error"), ("c_has_error", "has_error"),
        ("c_tags", "tags"), ("c_meta_keys", "metadata_keys"), ("c_meta_values", "metadata_values"),
        ("c_deleted", "deleted"), ("c_usage_reported", "usage_reported"),
        ("c_session_name", "session_name"), ("c_has_session_name", "has_session_name"),
        ("c_user_text", "user_text"), ("c_has_user_text", "has_user_text"),
        ("c_cache_written", "cache_creation_input_tokens"),
    ];

    /// <summary>
    /// Each span's own payloads as <see cref="Current"/> names them when a statement asks for them by name (never by
    /// default: they are the largest columns): (alias, column of the span rows).
    /// </summary>
    private static readonly (string Alias, string Column)[] PayloadFields =
    [
        ("p_has_input", "has_input"), ("p_input", "input_json"), ("p_has_output", "has_output"), ("p_output", "output_json"),
        ("p_has_metadata", "has_metadata"), ("p_metadata", "metadata_json"),
    ];

    /// <summary>The payload columns of a statement that reads a span's own payloads (<see cref="SpanReading.OwnPayload"/>).</summary>
    public static readonly string PayloadColumns = string.Join(", ", PayloadFields.Select(f => f.Alias));

    /// <summary>
    /// Each span's newest version among the project's rows matching <paramref name="candidates"/> (a condition on raw rows
    /// that keeps every version of any span that could match: it must not depend on fields a re-send can change, or it
    /// must select span ids through GLOBAL IN so that all their versions are read). <paramref name="fields"/>: the c_*
    /// fields to take (every one of <see cref="SpanFields"/> unless given) — each argMax costs per row, so a statement that
    /// shows a few fields takes only those; span_id and c_version are always there. With <paramref name="prewhere"/>, the
    /// condition is a PREWHERE: for candidates on the sort key (a session's rows), the other columns are then read only
    /// where it holds — not for the rest of the granules the index gives (on the other shards, the granule where the
    /// session would be).
    /// </summary>
    private string Current(string candidates, IReadOnlyCollection<string>? fields, bool prewhere) => $"""
        SELECT span_id,
            {string.Join(", ", SpanFields.Where(f => fields is null || fields.Contains(f.Alias)).Concat(PayloadFields.Where(f => fields?.Contains(f.Alias) == true))
                .Select(f => $"argMax({f.Column}, version) AS {f.Alias}"))},
            max(version) AS c_version
        FROM {Spans} {(prewhere ? "PREWHERE" : "WHERE")} project_id = {"{project:Int64}"}{candidates}
        GROUP BY span_id
        """;

    /// <inheritdoc cref="Current(string, IReadOnlyCollection{string}?, bool)"/>
    public string Current(string candidates = "") => Current(candidates, null, prewhere: false);

    /// <summary>
    /// The newest version of each span whose newest version is in the session {session:String}, reading that session's
    /// rows only (the sort key's prefix) instead of every span of the project. Exact under re-sends that move a span
    /// between sessions: a span's newest row within the session is its newest of all unless another session (or none)
    /// holds a version of it too, and every such span is in span_moves under each of its sessions (the writer records it,
    /// see <see cref="SessionRowKeeper"/>). {moved_span_ids:Array(String)} are the session's moved spans
    /// (<see cref="MovedSpanIdsOfSessions"/>); for those alone the newest version anywhere is read from span_keys
    /// (every session and trace a span has had a version in, with that version; found by span id). The ids are sent as values
    /// rather than a subquery: 18.16 uses the span_keys index for <c>IN (SELECT arrayJoin([…]))</c> but not for a
    /// GLOBAL IN set, which read the whole table on each shard. Checking every span of the session there, as this did
    /// before migration 006, read about the whole of span_sessions (now span_keys) with random span ids (1.38 M rows for 1,000 ids).
    /// A span that left the session is dropped here; one that came into it has its newest row here.
    /// </summary>
    public string CurrentInSession => CurrentIn(" AND session_id = {session:String}");

    /// <summary>
    /// <see cref="CurrentInSession"/> for the sessions that <paramref name="sessions"/> (a condition on raw rows' session_id)
    /// selects: {moved_span_ids:Array(String)} are their moved spans (<see cref="MovedSpanIdsOfSessions"/>).
    /// </summary>
    private string CurrentIn(string sessions, IReadOnlyCollection<string>? fields = null) => $"""
        SELECT * FROM ({Current(sessions, fields, prewhere: true)})
        WHERE span_id NOT IN (SELECT arrayJoin({"{moved_span_ids:Array(String)}"})) OR (span_id, c_version) GLOBAL IN ({NewestVersionsOf("moved_span_ids")})
        """;

    /// <summary>Each span's newest version anywhere (span_keys, by span id) for the ids of the Array(String) parameter named.</summary>
    private string NewestVersionsOf(string ids) =>
        $"SELECT span_id, max(version) FROM {database}.span_keys WHERE project_id = {{project:Int64}} AND span_id IN (SELECT arrayJoin({{{ids}:Array(String)}})) GROUP BY span_id";

    /// <summary>The spans that have had a version in the trace {trace:String} (trace_spans, migration 008: by trace id).</summary>
    public string SpanIdsOfTrace =>
        $"SELECT DISTINCT span_id FROM {database}.trace_spans WHERE project_id = {{project:Int64}} AND trace_id = {{trace:String}} FORMAT JSONCompact";

    /// <summary>Every session ('' for none) that the spans {ids:Array(String)} have had a version in (span_keys, by span id).</summary>
    public string SessionsOfSpans =>
        $"SELECT DISTINCT session_id FROM {database}.span_keys WHERE project_id = {{project:Int64}} AND span_id IN (SELECT arrayJoin({{ids:Array(String)}})) FORMAT JSONCompact";

    /// <summary>
    /// One row per session from its live LLM calls: the contract's figures, user of the earliest call that has one, the
    /// name (the earliest call's explicit name, else the earliest call's first user message, as SessionNames rules), and
    /// active time under the project's threshold (<see cref="Activity"/>), and the calls' cells per model and UTC hour
    /// of start (s_cell_*: parallel arrays, one element per cell), which cost by model and over time sum
    /// (<see cref="CostCellsByModel"/>). The calls are grouped by cell first and the cells by session: each session figure is
    /// a sum, minimum, maximum, union or earliest-by-(start, span id) over its calls, so over its cells it is the same.
    /// The threshold is joined as a one-row table rather than read by a scalar subquery: 18.16 runs a scalar subquery
    /// again at each level of query analysis (five times in a list page, each a round trip to every shard), a joined
    /// table once per statement.
    /// </summary>
    /// <remarks><paramref name="current"/>: the spans' newest versions to group, <see cref="Current"/> of the whole project unless given.</remarks>
    public string Sessions(string? current = null) => $"""
        SELECT s_id, s_user, s_has_user, s_started, s_ended, s_turns, {ExactCostColumns("s_cost_dollars", "s_cost_picos", "s_cost")},
            s_unpriced, s_input, s_output, s_errors, s_latency, s_tags,
            {Activity}
            (s_has_explicit_name = 1 OR s_has_user_text = 1) AS s_has_name,
            if(s_has_explicit_name = 1, s_explicit_name, s_user_text) AS s_name,
            p_idle_gap AS s_idle_gap, s_meta_pairs, {string.Join(", ", CellFields.Select(f => "s_cell_" + f.Name))}
        FROM (
            SELECT g_session AS s_id,
                argMinIf(g_user, g_user_key, g_has_user = 1) AS s_user, max(g_has_user) AS s_has_user,
                min(g_started) AS s_started, max(g_ended) AS s_ended, sum(g_calls) AS s_turns,
                sum(g_cost_usd) AS s_cost_dollars, sum(g_cost_pico) AS s_cost_picos,
                sum(g_unpriced) AS s_unpriced, sum(g_input_tokens) AS s_input, sum(g_output_tokens) AS s_output,
                sum(g_errors) AS s_errors, sum(g_latency) AS s_latency,
                groupUniqArrayArray(g_tags) AS s_tags, groupUniqArrayArray(g_meta_pairs) AS s_meta_pairs,
                arraySort(groupArrayArray(g_starts)) AS s_starts, arraySort(groupArrayArray(g_ends)) AS s_ends,
                argMinIf(g_explicit_name, g_explicit_name_key, g_has_explicit_name = 1) AS s_explicit_name, max(g_has_explicit_name) AS s_has_explicit_name,
                argMinIf(g_user_text, g_user_text_key, g_has_user_text = 1) AS s_user_text, max(g_has_user_text) AS s_has_user_text,
                {string.Join(", ", CellFields.Select(f => $"groupArray(g_{f.Name}) AS s_cell_{f.Name}"))}
            FROM (
                SELECT c_session AS g_session, c_has_model AS g_has_model, c_model AS g_model, {HourOf("c_start")} AS g_hour,
                    {EarliestWith("c_user", "c_has_user", "g_user")},
                    min(c_start) AS g_started, max(c_end) AS g_ended, count() AS g_calls,
                    {ExactCostParts("c_cost", "g_cost_usd", "g_cost_pico")}, countIf(c_priced = 0) AS g_unpriced,
                    sum(c_input) AS g_input_tokens, sum(c_output) AS g_output_tokens, sum(c_cached) AS g_cached_tokens,
                    sum(c_reasoning) AS g_reasoning_tokens, countIf(c_status = 1) AS g_errors, sum(c_cache_written) AS g_cache_written_tokens,
                    sum(c_end - c_start) AS g_latency,
                    groupUniqArrayArray(c_tags) AS g_tags,
                    groupUniqArrayArray(arrayMap((k, v) -> (k, v), c_meta_keys, c_meta_values)) AS g_meta_pairs,
                    groupArray(c_start) AS g_starts, groupArray(c_end) AS g_ends,
                    {EarliestWith("c_session_name", "c_has_session_name", "g_explicit_name")},
                    {EarliestWith("c_user_text", "c_has_user_text", "g_user_text")}
                FROM ({current ?? Current()})
                WHERE c_deleted = 0 AND c_kind = 1 AND c_has_session = 1
                GROUP BY c_session, c_has_model, c_model, g_hour
            ) AS s_cells
            GROUP BY g_session
        ) AS s_grouped CROSS JOIN ({IdleGapOfProject}) AS s_project
        """;

    /// <summary>
    /// A cell's value of a field from its earliest call (by start, then span id) that has one: {name}, its call's key
    /// {name}_key and has_{name}, so the session takes the earliest of its cells' (argMinIf by the key).
    /// </summary>
    private static string EarliestWith(string column, string hasColumn, string name)
    {
        var has = name.Insert(2, "has_");
        return $"argMinIf({column}, tuple(c_start, span_id), {hasColumn} = 1) AS {name}, "
            + $"argMinIf(tuple(c_start, span_id), tuple(c_start, span_id), {hasColumn} = 1) AS {name}_key, max({hasColumn}) AS {has}";
    }

    /// <summary>The first millisecond of the UTC hour of a time in milliseconds: <see cref="HourRange.Floor"/> in SQL (also before 1970).</summary>
    private static string HourOf(string ms) => $"({ms} - modulo(modulo({ms}, {HourRange.HourMs}) + {HourRange.HourMs}, {HourRange.HourMs}))";

    /// <summary>
    /// A session's cells (<see cref="Sessions"/>' s_cell_*, session_rows' cell_*, migration 007) in order: the name and
    /// the session_rows column type of each.
    /// </summary>
    private static readonly (string Name, string Type)[] CellFields =
    [
        ("has_model", "UInt8"), ("model", "String"), ("hour", "Int64"), ("calls", "Int64"), ("cost_usd", "Int64"), ("cost_pico", "Int64"),
        ("unpriced", "Int64"), ("input_tokens", "Int64"), ("output_tokens", "Int64"), ("cached_tokens", "Int64"),
        ("reasoning_tokens", "Int64"), ("errors", "Int64"), ("cache_written_tokens", "Int64"),
    ];

    /// <summary>
    /// s_idle and s_gaps of <see cref="Zespan.Core.Sessions.SessionActivity"/>, in SQL because the list sorts and filters by
    /// them. The rule: in start order, the gap before call k+1 is its start minus the largest end of calls 1..k, and a gap
    /// longer than the project's threshold (strictly, and the threshold is positive) is idle. Written here in linear time
    /// from the starts and the ends each sorted on their own: with S and E so sorted, S[k+1] - E[k] is that gap whenever
    /// either is positive (when all of calls 1..k ended before call k+1 started, their ends are the k smallest), and is not
    /// positive otherwise; only positive gaps can be idle. The direct form (a maximum over each prefix) took over a second
    /// per list page for one 1,000-call session on a loaded machine. The threshold (p_idle_gap, a joined column) goes
    /// into the lambdas as an array argument: 18.16 does not read a joined column that only a lambda names ("unknown
    /// identifier"). The conformance suite checks all of it against the C# rule.
    /// </summary>
    private const string Activity = """
        arrayMap((s, e) -> s - e, arrayPopFront(s_starts), arrayPopBack(s_ends)) AS s_gap_list,
            replicate(p_idle_gap, s_gap_list) AS s_thresholds,
            arraySum(arrayMap((g, t) -> if(g > t, g, 0), s_gap_list, s_thresholds)) AS s_idle,
            arrayCount((g, t) -> g > t, s_gap_list, s_thresholds) AS s_gaps,
        """;

    /// <summary>The project's idle gap threshold, a one-row SELECT of column p_idle_gap: its newest recorded one, else the default.</summary>
    private string IdleGapOfProject =>
        $"SELECT if(count() = 0, {Zespan.Core.Sessions.SessionActivity.DefaultIdleGapMs}, argMax(idle_gap_ms, version)) AS p_idle_gap FROM {database}.session_idle_thresholds WHERE project_id = {{project:Int64}}";

    public string AppliedIdleGap => $"{IdleGapOfProject} FORMAT JSONCompact";

    /// <summary>The project's threshold (<see cref="IdleGapOfProject"/>) and the version of its newest record (0: none).</summary>
    public string AppliedIdleGapAndVersion =>
        $"SELECT if(count() = 0, {Zespan.Core.Sessions.SessionActivity.DefaultIdleGapMs}, argMax(idle_gap_ms, version)), max(version) FROM {database}.session_idle_thresholds WHERE project_id = {{project:Int64}} FORMAT JSONCompact";

    public const string SessionColumns = "s_id, s_user, s_has_user, s_started, s_ended, s_turns, s_cost_usd, s_cost_pico, s_unpriced, s_input, s_output, s_errors, s_latency, s_idle, s_gaps, s_has_name, s_name";

    /// <summary>
    /// The sort key of a session, before the session id. Cost sorts unknown costs above every known one, then by the exact
    /// cost as (whole dollars, picodollar rest): ExactCostColumns keeps the rest below a dollar, so that order is the cost's.
    /// </summary>
    public static string[] SortKey(SessionSort sort) => sort switch
    {
        SessionSort.StartedAt => ["s_started"],
        SessionSort.DurationMs => ["(s_ended - s_started)"],
        SessionSort.Turns => ["s_turns"],
        SessionSort.CostUsd => ["(s_unpriced = s_turns)", "s_cost_usd", "s_cost_pico"],
        SessionSort.TotalTokens => ["(s_input + s_output)"],
        SessionSort.ErrorCount => ["s_errors"],
        SessionSort.ActiveDurationMs => [ActiveMs],
        SessionSort.IdleGapCount => ["s_gaps"],
        _ => throw new ArgumentOutOfRangeException(nameof(sort)),
    };

    /// <summary>" AND …" conditions on the session columns; the values are the placeholders <see cref="FilterParameters"/> fills.</summary>
    public static string Filter(SessionFilter filter)
    {
        var sql = new StringBuilder();
        if (filter.FromMs is not null) sql.Append(" AND s_started >= {from:Int64}");
        if (filter.ToMs is not null) sql.Append(" AND s_started < {to:Int64}");
        if (filter.UserId is not null) sql.Append(" AND s_has_user = 1 AND s_user = {user:String}");
        if (filter.Status == SessionStatusFilter.Error) sql.Append(" AND s_errors > 0");
        if (filter.Status == SessionStatusFilter.Ok) sql.Append(" AND s_errors = 0");
        if (filter.MinTurns is not null) sql.Append(" AND s_turns >= {min_turns:Int64}");
        if (filter.MaxTurns is not null) sql.Append(" AND s_turns <= {max_turns:Int64}");
        if (filter.MinActiveMs is not null) sql.Append($" AND {ActiveMs} >= {{min_active:Int64}}");
        if (filter.MaxActiveMs is not null) sql.Append($" AND {ActiveMs} <= {{max_active:Int64}}");
        // A substring of the name or the id, ASCII case-insensitive as on SQLite (lower() folds ASCII letters only).
        if (filter.Query is not null) sql.Append(" AND (position(lower(s_id), lower({q:String})) > 0 OR (s_has_name = 1 AND position(lower(s_name), lower({q:String})) > 0))");
        return sql.ToString();
    }

    public static void FilterParameters(SessionFilter filter, Dictionary<string, object?> parameters)
    {
        if (filter.FromMs is { } from) parameters["from"] = from;
        if (filter.ToMs is { } to) parameters["to"] = to;
        if (filter.UserId is { } user) parameters["user"] = user;
        if (filter.MinTurns is { } minTurns) parameters["min_turns"] = (long)minTurns;
        if (filter.MaxTurns is { } maxTurns) parameters["max_turns"] = (long)maxTurns;
        if (filter.MinActiveMs is { } minActive) parameters["min_active"] = minActive;
        if (filter.MaxActiveMs is { } maxActive) parameters["max_active"] = maxActive;
        if (filter.Query is { } text) parameters["q"] = text;
    }

    /// <summary>Active time: wall duration without the idle gaps (SessionSummary.ActiveMs).</summary>
    private const string ActiveMs = "(s_ended - s_started - s_idle)";

    /// <summary>(a, b, c) op (x, y, z) lexicographically, written out: tuple comparison is not in every version.</summary>
    private static string Beyond(string[] columns, string[] values, string op)
    {
        var result = $"{columns[^1]} {op} {values[^1]}";
        for (var i = columns.Length - 2; i >= 0; i--)
            result = $"({columns[i]} {op} {values[i]} OR ({columns[i]} = {values[i]} AND {result}))";
        return result;
    }

    /// <summary>The session's summary computed from its spans (the definition session_rows keeps): the detail's when its row cannot be used.</summary>
    public string OneSession => $"SELECT {SessionColumns} FROM ({Sessions(CurrentInSession)}) WHERE s_id = {{session:String}} FORMAT JSONCompact";

    /// <summary>
    /// The detail's summary: the session {session:String}'s live row in session_rows (no row when it has none), then
    /// s_idle_gap, the threshold it was computed under. A row under another threshold than the project's recorded one
    /// (<see cref="AppliedIdleGap"/>: a new threshold whose recompute has not finished) is not used: the detail then
    /// computes <see cref="OneSession"/>. The threshold is a statement of its own sent at the same time, not joined here:
    /// joined, 18.16 ran this statement at about 22 ms of CPU over the two nodes, against 10 + 5 ms for the two apart.
    /// </summary>
    public string SessionRowOfSession => $"SELECT {SessionColumns}, s_idle_gap FROM ({NewestSessionRows("", oneSession: true)}) SETTINGS {ConditionsAfterFinal} FORMAT JSONCompact";

    public const string SpanColumns = "span_id, c_trace, c_has_parent, c_parent, c_session, c_has_session, c_user, c_has_user, c_name, c_kind, "
        + "c_model, c_has_model, c_provider, c_has_provider, c_start, c_end, c_input, c_output, c_cached, c_reasoning, c_cost, c_priced, "
        + "c_cost_source, c_status, c_error, c_has_error, c_tags, c_meta_keys, c_meta_values, c_usage_reported, c_cache_written";

    /// <summary>
    /// The columns of a timeline entry (<see cref="SpanReading.Timeline"/>): what the detail shows of each call, so the
    /// timeline takes 18 of the 35 argMax fields (not the parent, user, provider, tags, metadata or name texts).
    /// </summary>
    public const string TimelineColumns = "span_id, c_trace, c_name, c_model, c_has_model, c_start, c_end, c_input, c_output, c_cached, c_reasoning, "
        + "c_cost, c_priced, c_status, c_error, c_has_error, c_usage_reported, c_cache_written";

    /// <summary>The fields <see cref="SessionTimelineCandidates"/> reads: its columns and those its condition needs.</summary>
    private static readonly string[] TimelineFields =
        [.. TimelineColumns.Split(", ").Where(c => c.StartsWith("c_", StringComparison.Ordinal)), "c_deleted", "c_kind", "c_has_session", "c_session"];

    /// <summary><see cref="TimelineFields"/> and each call's own payloads.</summary>
    private static readonly string[] TimelineFieldsWithPayloads = [.. TimelineFields, .. PayloadFields.Select(f => f.Alias)];

    /// <summary>
    /// The detail's timeline, first half: each span's newest version among the session {session:String}'s rows (the sort
    /// key's prefix, one shard) where that version is a live LLM call, in start order (then span id), as
    /// <see cref="TimelineColumns"/> then c_version. It needs no span ids, so it goes with the session's row in one round
    /// trip; a call stays in the timeline only if no other session holds a newer version of it
    /// (<see cref="VersionsOutsideSession"/>, the second half). With <paramref name="withPayloads"/>, each call's own
    /// payloads of that same version follow (<see cref="PayloadColumns"/>): a call that stays is current here, so they
    /// are its newest, and the detail needs no second round trip for them (only content sent separately is read after,
    /// for the calls that lack their own: <see cref="SpanContentOf"/>). Every row of the session is on its shard, so that
    /// shard groups them into each span's newest version alone and sends the rows (distributed_group_by_no_merge) rather
    /// than argMax states for the receiving node to merge: 78 against 93 ms for a 1,000-call session (median of 6, 18.16).
    /// </summary>
    public string SessionTimelineCandidates(bool withPayloads) =>
        $"SELECT {TimelineColumns}, c_version{(withPayloads ? ", " + PayloadColumns : "")} "
        + $"FROM ({Current(" AND session_id = {session:String}", withPayloads ? TimelineFieldsWithPayloads : TimelineFields, prewhere: true)}) "
        + "WHERE c_deleted = 0 AND c_kind = 1 AND c_has_session = 1 AND c_session = {session:String} ORDER BY c_start, span_id "
        + "SETTINGS distributed_group_by_no_merge = 1 FORMAT JSONCompact";

    /// <summary>
    /// The detail's timeline, second half: for each of the spans {ids:Array(String)} — the candidates that span_moves lists
    /// under the session (<see cref="MovedSpanIdsOfSessions"/>); any other has no version outside it — the newest version
    /// it has outside the session {session:String} (in another session, or in none), from span_keys (every session a
    /// span has had a version in, with that version; found by span id). A span with none is absent. A candidate of <see cref="SessionTimelineCandidates"/> with a newer version here was moved away by
    /// a re-send and is dropped. Why only the versions outside the session, not the span's newest anywhere: a version
    /// written into this same session between the two halves is not "outside", so it cannot drop a call that is still in
    /// the session.
    /// </summary>
    public string VersionsOutsideSession =>
        $"SELECT span_id, max(version) FROM {database}.span_keys WHERE project_id = {{project:Int64}} AND span_id IN (SELECT arrayJoin({{ids:Array(String)}})) "
        + "AND NOT (has_session = 1 AND session_id = {session:String}) GROUP BY span_id FORMAT JSONCompact";

    /// <summary>
    /// The live spans of the trace {trace:String}: the newest version of each span that has had a version in it
    /// ({ids:Array(String)}, <see cref="SpanIdsOfTrace"/>), read from the rows of every session those spans have had a
    /// version in ({sessions:Array(String)}, <see cref="SessionsOfSpans"/>) through the sort key — which holds every
    /// version of them — and kept where that newest version is still in the trace.
    /// </summary>
    public string TraceSpans =>
        $"SELECT {SpanColumns} FROM ({Current(SpansInTheirSessions, null, prewhere: true)}) "
        + "WHERE c_deleted = 0 AND c_trace = {trace:String} ORDER BY c_start, span_id FORMAT JSONCompact";

    /// <summary>
    /// Candidates (for <see cref="Current(string, IReadOnlyCollection{string}?, bool)"/>): the rows of the spans
    /// {ids:Array(String)} in every session they have had a version in ({sessions:Array(String)},
    /// <see cref="SessionsOfSpans"/>), found through the sort key — every version of each span.
    /// </summary>
    private const string SpansInTheirSessions =
        " AND session_id IN (SELECT arrayJoin({sessions:Array(String)})) AND span_id IN (SELECT arrayJoin({ids:Array(String)}))";

    /// <summary>
    /// The newest payloads of the given spans: the span's own where it has them, else content sent separately. Only the
    /// rows of the given sessions ({sessions:Array(String)}, '' for no session) are read, found by the sort key; a span
    /// whose newest version is not among them (it moved to another session) gets no payload of its own rather than an
    /// older one. Only the moved spans among them ({moved_span_ids:Array(String)}, <see cref="MovedSpanIdsOfSessions"/>)
    /// can have a newer version elsewhere, so only theirs are looked up in span_keys (see <see cref="CurrentInSession"/>).
    /// </summary>
    public string Payloads => $"""
        SELECT p.span_id, {string.Join(", ", PayloadFields.Select(f => "p." + f.Alias))},
            c.k_has_input, c.k_input, c.k_has_output, c.k_output
        FROM (
            SELECT span_id, {string.Join(", ", PayloadFields.Select(f => $"argMax({f.Column}, version) AS {f.Alias}"))}
            FROM {Spans}
            WHERE project_id = {"{project:Int64}"} AND session_id IN (SELECT arrayJoin({"{sessions:Array(String)}"})) AND span_id IN (SELECT arrayJoin({"{ids:Array(String)}"}))
            GROUP BY span_id
            HAVING span_id NOT IN (SELECT arrayJoin({"{moved_span_ids:Array(String)}"})) OR (span_id, max(version)) GLOBAL IN ({NewestVersionsOf("moved_span_ids")})
        ) AS p
        ANY LEFT JOIN ({ContentOfSpans}) AS c USING (span_id)
        FORMAT JSONCompact
        """;

    /// <summary>
    /// The newest content sent separately (OTLP log records, span_content) for the spans {ids:Array(String)}: span_id,
    /// k_has_input, k_input, k_has_output, k_output. A span's own payload wins over it (<see cref="SpanReading.Payload.Of"/>).
    /// </summary>
    private string ContentOfSpans => $"""
        SELECT span_id, argMax(has_input, version) AS k_has_input, argMax(input_json, version) AS k_input,
            argMax(has_output, version) AS k_has_output, argMax(output_json, version) AS k_output
        FROM {database}.span_content WHERE project_id = {"{project:Int64}"} AND has({"{ids:Array(String)}"}, span_id) GROUP BY span_id
        """;

    /// <inheritdoc cref="ContentOfSpans"/>
    public string SpanContentOf => $"{ContentOfSpans} FORMAT JSONCompact";

    /// <summary>
    /// An exact sum of a cost column as two Int64 columns, whole dollars then the picodollar rest (read back with
    /// JsonCell.Cost). Why: sum(Int64) wraps past $9,223,372.04, and ClickHouse 18.16 has no Int128. A call costs at most
    /// $1,000,000 and a rest is below 10^12, so neither part can wrap before 9.2 million calls of a million dollars.
    /// </summary>
    public static string ExactCostSum(string column) => $"sum({Dollars(column)}), sum({Rest(column)})";

    /// <summary>The whole dollars of a picodollar value; <see cref="Rest"/> is what is left of it.</summary>
    private static string Dollars(string pico) => $"intDiv({pico}, toInt64(1000000000000))";

    private static string Rest(string pico) => $"modulo({pico}, toInt64(1000000000000))";

    /// <summary><see cref="ExactCostSum"/> named, for a grouping whose parts <see cref="ExactCostColumns"/> then normalizes.</summary>
    private static string ExactCostParts(string column, string dollars, string picos) => $"sum({Dollars(column)}) AS {dollars}, sum({Rest(column)}) AS {picos}";

    /// <summary>
    /// The parts of <see cref="ExactCostParts"/> carried into whole dollars and a rest below one dollar ({name}_usd,
    /// {name}_pico): one pair per cost, so equal costs have equal columns and (usd, pico) orders as the cost does
    /// (costs are never negative). Read back with JsonCell.Cost.
    /// </summary>
    private static string ExactCostColumns(string dollars, string picos, string name) =>
        $"{dollars} + {Dollars(picos)} AS {name}_usd, {Rest(picos)} AS {name}_pico";

    /// <summary>
    /// Live spans that started in [{from:Int64}, {cutoff:Int64}), oldest first, at most a batch. Only spans with a row
    /// that starts there can qualify (their newest version is such a row), so only their versions are grouped, and only
    /// the four fields the answer needs: the newest version of every span of the project passed ClickHouse's memory limit
    /// at 10 M spans, and with every span before the cutoff as candidates one batch took 23–26 s at 5.4 M of them
    /// (docs/benchmarks.md), so retention walks the time before the cutoff in windows (<see cref="OldestLiveRowStart"/>).
    /// </summary>
    public string ExpiredSpans =>
        $"SELECT span_id, c_session, c_has_session, c_start, c_trace FROM ({Current(SpansWithRowsWhere("start_ms >= {from:Int64} AND start_ms < {cutoff:Int64}"), RetentionFields, prewhere: false)}) "
        + "WHERE c_deleted = 0 AND c_start >= {from:Int64} AND c_start < {cutoff:Int64} ORDER BY c_start, span_id LIMIT {batch:Count} FORMAT JSONCompact";

    /// <summary>
    /// The earliest start in [{from:Int64}, {cutoff:Int64}) of a row of the project that is not a deleted version, and how
    /// many such rows there are (0: none). Every live span that started there has such a row (its newest version), so
    /// retention's next window begins here: it skips the empty time instead of walking it an hour at a time.
    /// </summary>
    public string OldestLiveRowStart =>
        $"SELECT min(start_ms), count() FROM {Spans} WHERE project_id = {{project:Int64}} AND start_ms >= {{from:Int64}} AND start_ms < {{cutoff:Int64}} AND deleted = 0 FORMAT JSONCompact";

    private static readonly string[] RetentionFields = ["c_session", "c_has_session", "c_start", "c_trace", "c_deleted"];

    /// <summary>Candidates (for <see cref="Current(string, IReadOnlyCollection{string}?, bool)"/>): the spans with a row of the project where <paramref name="condition"/> holds, every version of each.</summary>
    private string SpansWithRowsWhere(string condition) =>
        $" AND span_id GLOBAL IN (SELECT span_id FROM {Spans} WHERE project_id = {{project:Int64}} AND {condition})";

    /// <summary>The spans table's partition (month of start, in the server's time zone) of a time, as the table computes it.</summary>
    private const string MonthOf = "toYYYYMM(toDateTime(intDiv({0}, 1000)))";

    /// <summary>
    /// Months (partitions) wholly before the cutoff that hold rows of this project and of no other: retention drops them
    /// whole. Every row in a month before the cutoff's month started before the cutoff, as months follow time.
    /// </summary>
    public string DroppableMonths => $"""
        SELECT toInt64({string.Format(MonthOf, "start_ms")}) AS m
        FROM {Spans}
        WHERE {string.Format(MonthOf, "start_ms")} < {string.Format(MonthOf, "{cutoff:Int64}")}
        GROUP BY m
        HAVING min(project_id) = {"{project:Int64}"} AND max(project_id) = {"{project:Int64}"}
        ORDER BY m
        FORMAT JSONCompact
        """;

    /// <summary>
    /// Spans of the project whose newest version lies in a month to be dropped while another version lies in a kept one:
    /// dropping the month alone would bring the older version back, so each gets a deleted version in its latest month.
    /// </summary>
    public string SpansReachingKeptMonths => $"""
        SELECT span_id, argMax(session_id, version), argMax(has_session, version), max(start_ms), argMax(trace_id, version)
        FROM {Spans}
        WHERE project_id = {"{project:Int64}"}{SpansWithRowsWhere(InMonths("start_ms"))}
        GROUP BY span_id
        HAVING {InMonths("argMax(start_ms, version)")} AND argMax(deleted, version) = 0
            AND NOT has({"{months:Array(Int64)}"}, toInt64({string.Format(MonthOf, "max(start_ms)")}))
        FORMAT JSONCompact
        """;

    /// <summary>Live spans (newest version not deleted) of the project whose newest version is in the given months.</summary>
    public string LiveSpansInMonths =>
        $"SELECT count() FROM ({Current(SpansWithRowsWhere(InMonths("start_ms")), RetentionFields, prewhere: false)}) WHERE c_deleted = 0 AND {InMonths("c_start")} FORMAT JSONCompact";

    /// <summary>The time in milliseconds lies in one of the months {months:Array(Int64)} (as the span table partitions).</summary>
    private static string InMonths(string ms) => $"has({{months:Array(Int64)}}, toInt64({string.Format(MonthOf, ms)}))";

    /// <summary>Drops one month of the local span table (on every node of a cluster).</summary>
    public static string DropMonth(string database, string? cluster) =>
        $"ALTER TABLE {database}.{(cluster is null ? "session_spans" : "session_spans_local")}{(cluster is null ? "" : " ON CLUSTER " + cluster)} DROP PARTITION {{month:Count}}";

    /// <summary>Every statement shape the backend can send, for the dialect check (each filter, sort, order and cursor).</summary>
    public IEnumerable<(string Name, string Sql)> AllForDialectCheck()
    {
        var everyFilter = new SessionFilter
        {
            FromMs = 1, ToMs = 2, UserId = "u", Status = SessionStatusFilter.Error, MinTurns = 1, MaxTurns = 9, MinActiveMs = 0, MaxActiveMs = 9, Query = "Q",
        };
        SessionFilter[] filters = [SessionFilter.None, everyFilter, everyFilter with { Status = SessionStatusFilter.Ok }];
        foreach (var statement in SessionRowStatements(filters))
            yield return statement;
        foreach (var filter in filters)
        {
            foreach (var sort in Enum.GetValues<SessionSort>())
                foreach (var descending in new[] { true, false })
                    foreach (var after in new[] { false, true })
                    {
                        var shape = $"{sort} desc={descending} after={after} filtered={filter != SessionFilter.None}";
                        yield return ($"SessionPage {shape}", SessionPage(filter, sort, descending, after));
                        yield return ($"SessionPageOfCandidates {shape}", SessionPageOfCandidates(filter, sort, descending, after));
                        yield return ($"CandidateThresholds {shape}", CandidateThresholds(filter, sort, descending, after));
                    }
            yield return ("SessionCount", SessionCount(filter));
            yield return ("SessionFacts", SessionFacts(filter, false));
            yield return ("SessionFacts metadata", SessionFacts(filter, true));
            yield return ("SessionFacts one session", SessionFacts(filter, true, oneSession: true));
        }
        yield return ("OneSession", OneSession);
        yield return ("SessionRowOfSession", SessionRowOfSession);
        yield return ("AppliedIdleGap", AppliedIdleGap);
        yield return ("AppliedIdleGapAndVersion", AppliedIdleGapAndVersion);
        yield return ("SessionTimelineCandidates", SessionTimelineCandidates(withPayloads: false));
        yield return ("SessionTimelineCandidates with payloads", SessionTimelineCandidates(withPayloads: true));
        yield return ("SpanContentOf", SpanContentOf);
        yield return ("VersionsOutsideSession", VersionsOutsideSession);
        yield return ("SpanIdsOfTrace", SpanIdsOfTrace);
        yield return ("SessionsOfSpans", SessionsOfSpans);
        yield return ("TraceSpans", TraceSpans);
        yield return ("Payloads", Payloads);
        foreach (var statement in TraceRowStatements())
            yield return statement;
        foreach (var statement in CostStatements())
            yield return statement;
        foreach (var statement in SpanCopyStatements())
            yield return statement;
        yield return ("ExpiredSpans", ExpiredSpans);
        yield return ("OldestLiveRowStart", OldestLiveRowStart);
        yield return ("DroppableMonths", DroppableMonths);
        yield return ("SpansReachingKeptMonths", SpansReachingKeptMonths);
        yield return ("LiveSpansInMonths", LiveSpansInMonths);
    }
}
