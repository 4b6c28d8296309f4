using System.Text;
using System.Text.RegularExpressions;
using Zespan.Core.Sessions;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// session_rows (migration 004): one row per session, written by <see cref="SessionRowKeeper"/> from
/// <see cref="Sessions"/> and read by the list, its total, stats, breakdowns, kinds, trends and the overview.
/// </summary>
public sealed partial class ClickHouseSql
{
    /// <summary>
    /// Every version of a session's row lives on one shard (sharded by session, like session_spans), so each shard can
    /// take the newest row of its own sessions and apply the filters, sort and limit itself: only the matching sessions
    /// (a page: at most its length) cross to the node that received the query, instead of a partial state per span.
    /// The outer levels of each statement then merge the shards' answers. Without a cluster that setting does nothing;
    /// optimize_move_to_prewhere = 0 keeps <see cref="NewestSessionRows"/>' conditions after its FINAL.
    /// </summary>
    private const string ShardLocal = " SETTINGS distributed_group_by_no_merge = 1, " + ConditionsAfterFinal;

    /// <summary>Keeps <see cref="NewestSessionRows"/>' WHERE after its FINAL: every statement that reads it sets this.</summary>
    private const string ConditionsAfterFinal = "optimize_move_to_prewhere = 0";

    /// <summary>
    /// An IN subquery inside a statement on a Distributed table reads each shard's own rows (its local table), which hold
    /// every version of the sessions and traces it names: set by every statement with such a subquery.
    /// </summary>
    private const string SubqueriesOnOwnShard = "distributed_product_mode = 'local'";

    /// <summary><see cref="ShardLocal"/> for a statement with such a subquery (<see cref="SubqueriesOnOwnShard"/>).</summary>
    private const string ShardLocalWithSubqueries = ShardLocal + ", " + SubqueriesOnOwnShard;

    /// <summary>The columns of session_rows a recompute writes, in the order its SELECT gives them.</summary>
    public static string SessionRowColumns => "project_id, session_id, user_id, has_user, started_ms, ended_ms, turns, cost_usd, cost_pico, unpriced, "
        + "input_tokens, output_tokens, errors, latency_ms, idle_ms, idle_gaps, idle_gap_ms, has_name, name, tags, metadata_keys, metadata_values, version, deleted, "
        + string.Join(", ", CellFields.Select(f => "cell_" + f.Name));

    /// <summary>
    /// session_rows' columns from a <see cref="Sessions"/> row (or, when the session has no live call, the defaults an
    /// ANY LEFT JOIN leaves: no turns, so deleted).
    /// </summary>
    private static string SessionRowValues => """
        {project:Int64} AS project_id, s_id AS session_id, s_user AS user_id, toUInt8(s_has_user) AS has_user,
            toInt64(s_started) AS started_ms, toInt64(s_ended) AS ended_ms, toInt64(s_turns) AS turns, toInt64(s_cost_usd) AS cost_usd,
            toInt64(s_cost_pico) AS cost_pico, toInt64(s_unpriced) AS unpriced, toInt64(s_input) AS input_tokens, toInt64(s_output) AS output_tokens,
            toInt64(s_errors) AS errors, toInt64(s_latency) AS latency_ms, toInt64(s_idle) AS idle_ms, toInt64(s_gaps) AS idle_gaps,
            toInt64(s_idle_gap) AS idle_gap_ms, toUInt8(s_has_name) AS has_name, s_name AS name, s_tags AS tags,
            arrayMap(t -> tupleElement(t, 1), s_meta_pairs) AS metadata_keys, arrayMap(t -> tupleElement(t, 2), s_meta_pairs) AS metadata_values,
            {version:UInt64} AS version, toUInt8(s_turns = 0) AS deleted,
        """ + string.Join(", ", CellFields.Select(f => f.Type == "String" ? $"s_cell_{f.Name} AS cell_{f.Name}" : $"arrayMap(x -> to{f.Type}(x), s_cell_{f.Name}) AS cell_{f.Name}"));

    /// <summary>
    /// The rows of the sessions {sessions:Array(String)} as they are now, from each span's newest version
    /// (<see cref="CurrentIn"/>: a span whose newest version is in another session is not counted here), one per session
    /// named, a deleted one for a session with no live call left. {moved_span_ids:Array(String)}: their spans that a
    /// re-send moved (<see cref="MovedSpanIdsOfSessions"/>), {version:UInt64}: the recompute's version.
    /// The spans of no session (session id '', which no real session has: ids are non-empty) may be named: they are never
    /// read (has_session = 1), and '' gets a deleted row whose version marks when their writes' sessions were last
    /// recomputed, which the repair sweep compares like any session's (<see cref="StaleSessions"/>).
    /// </summary>
    public string SessionRowsOf => $"""
        SELECT {SessionRowValues}
        FROM (SELECT arrayJoin({"{sessions:Array(String)}"}) AS s_id) AS r
        ANY LEFT JOIN (SELECT * FROM ({Sessions(CurrentIn(" AND has_session = 1 AND session_id IN (SELECT arrayJoin({sessions:Array(String)}))"))})) AS s USING (s_id)
        """;

    /// <summary>
    /// Every session id of the project's span rows (a threshold change and the upgrade's fill recompute them all, in
    /// sorted chunks of <see cref="SessionRowsOf"/>: a chunk of consecutive ids reads a narrow range of the sort key).
    /// </summary>
    public string SessionIdsOfProject => $"SELECT DISTINCT session_id FROM {Spans} WHERE project_id = {{project:Int64}} AND has_session = 1 FORMAT JSONCompact";

    public string InsertSessionRows(string select) => $"INSERT INTO {database}.session_rows ({SessionRowColumns}) {select}";

    /// <summary>
    /// Each of the sessions {sessions:Array(String)} ('' for no session) with the ids of its spans that a re-send moved into
    /// or out of it (span_moves, migration 006: sorted and sharded by session, and small).
    /// </summary>
    public string MovedSpanIdsOfSessions =>
        $"SELECT DISTINCT session_id, span_id FROM {database}.span_moves WHERE project_id = {{project:Int64}} AND session_id IN (SELECT arrayJoin({{sessions:Array(String)}})) FORMAT JSONCompact";

    /// <summary>
    /// <see cref="MovedSpanIdsOfSessions"/> among the spans {ids:Array(String)} only: '' (no session) can list every span
    /// ever moved into or out of a session, and a trace's payloads need only its own.
    /// </summary>
    public string MovedSpanIdsAmong =>
        $"SELECT DISTINCT span_id FROM {database}.span_moves WHERE project_id = {{project:Int64}} AND session_id IN (SELECT arrayJoin({{sessions:Array(String)}})) "
        + "AND span_id IN (SELECT arrayJoin({ids:Array(String)})) FORMAT JSONCompact";

    /// <summary>
    /// The repair sweep's check (<see cref="SessionRowRepair"/>): sessions of the project — '' standing for the spans of no
    /// session — whose newest span row is newer than their newest session row (0 when they have none), that is, written
    /// after the last recompute started, when that write's version was taken before {settled:UInt64} (older than any
    /// write whose recompute may still be on its way). Oldest first, at most {batch:Count}; each with its row's version.
    /// Only rows of versions after {written_after:UInt64} are read, on both sides: the sweep's earlier passes checked the
    /// rest. That stays exact: a session whose newest row is older than the bound has r_version 0 here, and its span rows
    /// after the bound are newer than that row anyway. It turns a grouping of the project's every span row (50–56 s at
    /// 9 M rows) into a scan of the version column plus a grouping of the recent rows.
    /// </summary>
    public string StaleSessions => $"""
        SELECT s_id, s_version, r_version FROM (
            SELECT session_id AS s_id, max(version) AS s_version FROM {Spans}
            WHERE project_id = {"{project:Int64}"} AND version > {"{written_after:UInt64}"} GROUP BY session_id
        ) AS s
        ANY LEFT JOIN (
            SELECT session_id AS s_id, max(version) AS r_version FROM {database}.session_rows
            WHERE project_id = {"{project:Int64}"} AND version > {"{written_after:UInt64}"} GROUP BY session_id
        ) AS r USING (s_id)
        WHERE s_version > r_version AND s_version < {"{settled:UInt64}"}
        ORDER BY s_version, s_id
        LIMIT {"{batch:Count}"}
        FORMAT JSONCompact
        """;

    /// <summary>
    /// The ids of the spans with a row in the session {session:String} newer than {since:UInt64} (its row's version): the
    /// writes its last recompute did not see, whose other sessions (span_keys) need a recompute too. Newest first, at
    /// most {id_limit:Count}.
    /// </summary>
    public string SpanIdsWrittenSince =>
        $"SELECT span_id, max(version) AS v FROM {Spans} WHERE project_id = {{project:Int64}} AND session_id = {{session:String}} AND version > {{since:UInt64}} "
        + "GROUP BY span_id ORDER BY v DESC, span_id LIMIT {id_limit:Count} FORMAT JSONCompact";

    /// <summary>
    /// Every session ('' for none) and trace ('' for a tombstone without one) that the spans {ids:Array(String)} have had
    /// a version in, each pair with the span's newest version there (span_keys, by span id): a write's one lookup, which
    /// gives the moves between sessions (<see cref="SessionRowKeeper"/>), the traces to recompute and each span's newest
    /// version anywhere (the greatest of its rows', <see cref="TraceRowKeeper"/>).
    /// </summary>
    public string KeysOfSpans =>
        $"SELECT span_id, session_id, trace_id, max(version) FROM {database}.span_keys WHERE project_id = {{project:Int64}} "
        + "AND span_id IN (SELECT arrayJoin({ids:Array(String)})) GROUP BY span_id, session_id, trace_id FORMAT JSONCompact";

    /// <summary>
    /// The sessions with a row in the months {months:Array(Int64)} ('' for spans of no session): retention recomputes them
    /// after dropping the months.
    /// </summary>
    public string SessionsInMonths =>
        $"SELECT DISTINCT session_id FROM {Spans} WHERE project_id = {{project:Int64}} AND has({{months:Array(Int64)}}, toInt64({string.Format(MonthOf, "start_ms")})) FORMAT JSONCompact";

    /// <summary>
    /// The projects with span rows of versions after {written_after:UInt64}: 0 for every project with spans (the upgrade
    /// fills their session rows one project at a time), the sweep's bound for the projects it must check.
    /// </summary>
    public string ProjectsWrittenAfter => $"SELECT DISTINCT project_id FROM {Spans} WHERE version > {{written_after:UInt64}} FORMAT JSONCompact";

    /// <summary>session_rows' columns under the names the reads give a session's figures (s_*), in the order of <see cref="SessionColumns"/>.</summary>
    private static readonly (string Alias, string Column)[] SessionRowFields =
    [
        ("s_id", "session_id"), ("s_user", "user_id"), ("s_has_user", "has_user"), ("s_started", "started_ms"), ("s_ended", "ended_ms"),
        ("s_turns", "turns"), ("s_cost_usd", "cost_usd"), ("s_cost_pico", "cost_pico"), ("s_unpriced", "unpriced"), ("s_input", "input_tokens"),
        ("s_output", "output_tokens"), ("s_errors", "errors"), ("s_latency", "latency_ms"), ("s_idle", "idle_ms"), ("s_gaps", "idle_gaps"),
        ("s_has_name", "has_name"), ("s_name", "name"), ("s_idle_gap", "idle_gap_ms"), ("s_deleted", "deleted"),
    ];

    /// <summary>
    /// Each live session's newest row (FINAL: the row of the highest version per session, on its own shard), as the s_*
    /// columns of <see cref="Sessions"/>, with <paramref name="conditions"/> (" AND …" on those columns) applied after.
    /// FINAL measured 4× less time than grouping by session with argMax (0.15–0.31 s against 0.65–3.1 s for the count of
    /// 258,000 sessions on one node, under load): a merge of sorted parts instead of a hash table of 19 states per session.
    /// The conditions must stay in WHERE, which applies to the merged rows: moved to PREWHERE (optimize_move_to_prewhere,
    /// off in <see cref="ShardLocal"/>) they would drop a newest version before the merge and let an older one stand in.
    /// <paramref name="extra"/>: more columns (tags, metadata) for the statements that need them. With
    /// <paramref name="oneSession"/>, only the session {session:String}'s rows. <paramref name="rowCondition"/>: " AND …"
    /// on session_id. Both are a PREWHERE on the sort key — a condition on the whole key keeps or drops every version of a
    /// session together, so it is safe before FINAL — and the other columns are then read only for the rows it keeps:
    /// for the list's candidates (scattered over most granules) 0.45–0.95 s became 0.22–0.27 s at 900,000 sessions.
    /// </summary>
    private string NewestSessionRows(string conditions, string extra = "", bool oneSession = false, string rowCondition = "") => $"""
        SELECT {string.Join(", ", SessionRowFields.Select(f => $"{f.Column} AS {f.Alias}"))}{extra}
        {FromNewestRows((oneSession ? " AND session_id = {session:String}" : "") + rowCondition, conditions)}
        """;

    /// <summary>
    /// The FROM of every read of live sessions' newest rows: FINAL, <paramref name="onKey"/> (" AND …" on the sort key) in
    /// the PREWHERE, <paramref name="conditions"/> in the WHERE after the merge (see <see cref="NewestSessionRows"/>).
    /// </summary>
    private string FromNewestRows(string onKey, string conditions) =>
        $"FROM {database}.session_rows FINAL PREWHERE project_id = {{project:Int64}}{onKey} WHERE deleted = 0{conditions}";

    /// <summary>
    /// An aggregate over each live session's newest row (as <see cref="NewestSessionRows"/> takes them) that every shard
    /// computes over its own sessions: <paramref name="select"/> (aggregates, and group keys), <paramref name="conditions"/>
    /// and <paramref name="tail"/> (GROUP BY, ORDER BY, LIMIT) are written on the s_* names and put on session_rows'
    /// columns here, so the statement reads the Distributed table itself and its shards send partial states (a row per
    /// group) instead of every matching session row: a sessions list's total over 300,000 sessions had each shard send
    /// its ~150,000 rows to the node that received the query. Sessions never span shards, so merging the states is exact.
    /// The conditions stay in WHERE after FINAL (<see cref="ConditionsAfterFinal"/>, which the shards receive with the
    /// statement). <paramref name="onKey"/>: " AND …" on the sort key before FINAL, whose subqueries each shard reads
    /// from its own rows.
    /// </summary>
    private string AggregateOfNewestRows(string select, string conditions, string tail = "", string onKey = "") =>
        $"SELECT {OnColumns(select)} {FromNewestRows(onKey, OnColumns(conditions))}{OnColumns(tail)} SETTINGS {ConditionsAfterFinal}"
        + (onKey.Length > 0 ? $", {SubqueriesOnOwnShard}" : "") + " FORMAT JSONCompact";

    /// <summary>
    /// <see cref="AggregateOfNewestRows"/> over the sessions that match <paramref name="filter"/>, merging only the
    /// sessions <see cref="WithVersionMatching"/> keeps.
    /// </summary>
    private string AggregateOfMatchingSessions(string select, SessionFilter filter, string tail = "") =>
        AggregateOfNewestRows(select, Filter(filter), tail, WithVersionMatching(filter));

    /// <summary>
    /// <see cref="NewestSessionRows"/> of the sessions that match <paramref name="filter"/> and
    /// <paramref name="conditions"/>, merging only the sessions <see cref="WithVersionMatching"/> keeps. A statement that
    /// reads it ends with <see cref="ShardLocalWithSubqueries"/>.
    /// </summary>
    private string NewestRowsMatching(SessionFilter filter, string conditions = "", string extra = "", bool oneSession = false) =>
        NewestSessionRows(Filter(filter) + conditions, extra, oneSession, WithVersionMatching(filter));

    /// <summary>
    /// A condition on the sort key (" AND …", or none) that every statement over the sessions matching
    /// <paramref name="filter"/> puts before FINAL. When the filter names a user, FINAL merges only the sessions that have
    /// a live row version matching it, found first by a plain read. That set holds every session whose newest row
    /// matches, since the newest row is one of its versions, so the answer is the same. One user's sessions are few, and
    /// merging every session row is most of such a statement: at 1 M sessions a list's total for one user (535 sessions)
    /// took 111–189 ms, and 76–89 ms with the set. A broad filter gains nothing from it: status=error and minTurns=5
    /// (122,752 sessions) took 112–190 ms, and 156–219 ms with the set. The store cannot measure a filter's reach before
    /// it reads, so only the user decides (docs/benchmarks.md, sessions 28 and 31). Every statement that reads the
    /// matching sessions takes it — the total, the page, the stats and their percentiles, the breakdowns and the facts —
    /// so none merges every session for one user.
    /// </summary>
    private string WithVersionMatching(SessionFilter filter) =>
        filter.UserId is null ? "" : $" AND session_id IN (SELECT s_id FROM ({LiveRowVersions(Filter(filter), "")}))";

    /// <summary>The expression of session_rows that each s_* name stands for (the aliases of <see cref="NewestSessionRows"/>).</summary>
    private static readonly Dictionary<string, string> ColumnOfName = SessionRowFields
        .Append((Alias: "s_tags", Column: "tags"))
        .Append((Alias: "s_meta", Column: MetadataValuesOfKey))
        .ToDictionary(f => f.Alias, f => f.Column, StringComparer.Ordinal);

    /// <summary>The text with each s_* name replaced by its column; a name with none throws, so a new one cannot pass unread.</summary>
    private static string OnColumns(string text) =>
        SessionColumnName().Replace(text, m => ColumnOfName.TryGetValue(m.Value, out var column)
            ? column
            : throw new InvalidOperationException($"No session_rows column for {m.Value}."));

    /// <summary>
    /// The project's live session rows of every version — not only each session's newest — that match
    /// <paramref name="conditions"/> (the same " AND …" on s_* columns as <see cref="NewestSessionRows"/>), with
    /// <paramref name="tail"/> (ORDER BY, LIMIT) applied on each shard. Only the columns the conditions and the tail name are read.
    /// </summary>
    private string LiveRowVersions(string conditions, string tail)
    {
        var mentioned = SessionColumnName().Matches(conditions + tail).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        var named = SessionRowFields.Where(f => f.Alias == "s_id" || mentioned.Contains(f.Alias)).Select(f => $"{f.Column} AS {f.Alias}");
        return $"SELECT {string.Join(", ", named)} FROM {database}.session_rows WHERE project_id = {{project:Int64}} AND deleted = 0{conditions}{tail}";
    }

    [GeneratedRegex(@"\bs_\w+")]
    private static partial Regex SessionColumnName();

    /// <summary>A sort key's expressions named k0, k1, … (<see cref="CandidatePage.SortKey"/> reads them in that order).</summary>
    private static string SortKeyColumns(string[] key) => string.Join(", ", key.Select((k, i) => $"{k} AS k{i}"));

    /// <summary>Tags and the metadata key {meta_key:String}'s values of each session (s_tags, s_meta).</summary>
    private const string TagsAndMetadata = $", tags AS s_tags, {MetadataValuesOfKey} AS s_meta";

    /// <summary>A session row's values of the metadata key {meta_key:String}.</summary>
    private const string MetadataValuesOfKey = "arrayFilter((mv, mk) -> mk = {meta_key:String}, metadata_values, metadata_keys)";

    private const string TagsOnly = ", tags AS s_tags, emptyArrayString() AS s_meta";

    /// <summary>A page's conditions (the filter and the cursor) and its order, without the limit.</summary>
    private static (string Conditions, string Order, string[] Key) PageShape(SessionFilter filter, SessionSort sort, bool descending, bool afterCursor)
    {
        var key = SortKey(sort);
        var direction = descending ? "DESC" : "ASC";
        var conditions = new StringBuilder(Filter(filter));
        if (afterCursor)
        {
            var values = sort == SessionSort.CostUsd ? new[] { "{after_unknown:Int64}", "{after_value:Int64}", "{after_pico:Int64}" } : ["{after_value:Int64}"];
            conditions.Append(" AND ").Append(Beyond([.. key, "s_id"], [.. values, "{after_id:String}"], descending ? "<" : ">"));
        }
        return (conditions.ToString(), " ORDER BY " + string.Join(", ", key.Select(k => $"{k} {direction}")) + $", s_id {direction}", key);
    }

    /// <summary>A page of the sessions list, keyset after a cursor: (key…, id) strictly beyond the cursor's in the order.</summary>
    public string SessionPage(SessionFilter filter, SessionSort sort, bool descending, bool afterCursor)
    {
        var (conditions, order, _) = PageShape(filter, sort, descending, afterCursor);
        var limited = order + " LIMIT {limit:Count}";
        // Each shard sends its own first page; the pages are merged here.
        return $"SELECT {SessionColumns} FROM ({NewestSessionRows(conditions, rowCondition: WithVersionMatching(filter))}{limited}){limited}{ShardLocalWithSubqueries} FORMAT JSONCompact";
    }

    /// <summary>
    /// The same page as <see cref="SessionPage"/>, computed only from the sessions that have a row version among the first
    /// {candidates:Count} matching row versions of their shard in the page's order (<see cref="LiveRowVersions"/>), so a
    /// shard groups a few sessions instead of all of them. Each row also has its sort key (k0, k1, …) for
    /// <see cref="CandidateThresholds"/>' check. The IN subquery reads each shard's own rows (distributed_product_mode =
    /// 'local'), which hold every version of the sessions it names.
    /// </summary>
    public string SessionPageOfCandidates(SessionFilter filter, SessionSort sort, bool descending, bool afterCursor)
    {
        var (conditions, order, key) = PageShape(filter, sort, descending, afterCursor);
        var limited = order + " LIMIT {limit:Count}";
        var candidates = $" AND session_id IN (SELECT s_id FROM ({LiveRowVersions(conditions, order + " LIMIT {candidates:Count}")}))";
        return $"SELECT {SessionColumns}, {SortKeyColumns(key)} FROM ({NewestSessionRows(conditions, rowCondition: candidates)}{limited}){limited}{ShardLocalWithSubqueries} FORMAT JSONCompact";
    }

    /// <summary>
    /// Each shard's row version at 0-based rank {threshold_at:Count} (the last candidate, see
    /// <see cref="SessionPageOfCandidates"/>) as its sort key (k0, k1, …) and session id; no row from a shard with fewer.
    /// Every session whose newest row comes before that version in the order is a candidate, so a candidate page whose
    /// last row does not come after any shard's threshold is the page.
    /// </summary>
    public string CandidateThresholds(SessionFilter filter, SessionSort sort, bool descending, bool afterCursor)
    {
        var (conditions, order, key) = PageShape(filter, sort, descending, afterCursor);
        return $"SELECT {SortKeyColumns(key)}, s_id FROM ({LiveRowVersions(conditions, order + " LIMIT {threshold_at:Count}, 1")}){ShardLocal} FORMAT JSONCompact";
    }

    public string SessionCount(SessionFilter filter) => AggregateOfMatchingSessions("count()", filter);

    /// <summary>Every matching session with its tags and (when grouping by metadata) the key's values, for the analytics.</summary>
    /// <remarks>With <paramref name="oneSession"/>, only the session {session:String} is read.</remarks>
    public string SessionFacts(SessionFilter filter, bool withMetadataKey, bool oneSession = false) =>
        $"SELECT {SessionColumns}, s_tags, s_meta FROM ({NewestRowsMatching(filter, extra: withMetadataKey ? TagsAndMetadata : TagsOnly, oneSession: oneSession)}){ShardLocalWithSubqueries} FORMAT JSONCompact";

    /// <summary>
    /// The stats' sums over the matching sessions per cost band (<see cref="CostBand"/>; -1 for the sessions of unknown
    /// cost, every call unpriced), summed on the shards: band, sessions, cost (whole dollars, picodollar rest), turns,
    /// sessions with errors, unpriced calls. The stats add the bands up, and find in them the bands that hold the
    /// median's and the 95th percentile's ranks (<see cref="PricedCostsInBands"/>), from one scan of the session rows.
    /// </summary>
    public string SessionStatsByBand(SessionFilter filter) => AggregateOfMatchingSessions(
        $"if(s_unpriced < s_turns, {CostBand}, toInt64(-1)) AS band, count(), sum(s_cost_usd), sum(s_cost_pico), sum(s_turns), "
        + "countIf(s_errors > 0), sum(s_unpriced)",
        filter, " GROUP BY band");

    /// <summary>
    /// A band of costs that never decreases as the cost grows, exactly (integer and text operations only): the number of
    /// decimal digits of the cost in picodollars, then its first three digits — about 900 bands per factor of ten — and
    /// above a million dollars (where picodollars pass Int64) the same of the whole dollars, in bands above every other.
    /// </summary>
    private static readonly string CostBand =
        $"toInt64(if(s_cost_usd < 1000000, {DigitsBand("toString(greatest(s_cost_usd * 1000000000000 + s_cost_pico, 0))")}, 100000 + {DigitsBand("toString(s_cost_usd)")}))";

    private static string DigitsBand(string digits) => $"(length({digits}) * 1000 + toUInt32(substring({digits}, 1, 3)))";

    /// <summary>
    /// The costs of the priced sessions in bands {band_from:Int64} to {band_to:Int64} or {band2_from:Int64} to
    /// {band2_to:Int64} (the median's and the 95th percentile's), with their band, in cost order: a shard sends a few
    /// bands' rows (~1/900 of a factor of ten each) where reading up to a rank had each shard send up to half its sessions.
    /// </summary>
    public string PricedCostsInBands(SessionFilter filter)
    {
        const string inBands = " AND (s_band BETWEEN {band_from:Int64} AND {band_to:Int64} OR s_band BETWEEN {band2_from:Int64} AND {band2_to:Int64})";
        return $"SELECT s_band, s_cost_usd, s_cost_pico FROM ({NewestRowsMatching(filter, " AND s_unpriced < s_turns" + inBands, $", {CostBand} AS s_band")}) "
            + $"ORDER BY s_cost_usd, s_cost_pico{ShardLocalWithSubqueries} FORMAT JSONCompact";
    }

    /// <summary>
    /// The priced sessions' costs at 0-based ranks {skip:Count} to {skip:Count} + {take:Count} - 1 in cost order: each
    /// shard sends its first {end:Count} = skip + take, which hold the answer. The stats read this only when the bands
    /// they counted no longer hold the ranks (a write in between).
    /// </summary>
    public string PricedCostsAtRanks(SessionFilter filter)
    {
        const string order = "ORDER BY s_cost_usd, s_cost_pico";
        return $"SELECT s_cost_usd, s_cost_pico FROM ({NewestRowsMatching(filter, " AND s_unpriced < s_turns")} {order} LIMIT {{end:Count}}) "
            + $"{order} LIMIT {{skip:Count}}, {{take:Count}}{ShardLocalWithSubqueries} FORMAT JSONCompact";
    }

    /// <summary>
    /// Sessions, cost, turns, tokens and sessions of unknown cost per group (k_has = 0: the sessions of no group) — a
    /// session counts once in each of its tags or metadata values. With <paramref name="top"/>, only the first
    /// {limit:Count} groups in <see cref="BreakdownOrder"/>'s order (<see cref="BreakdownTopOrder"/>), so a breakdown by
    /// 200,000 users sends 20 rows instead of every group.
    /// </summary>
    public string SessionBreakdown(SessionFilter filter, SessionGrouping grouping, bool top = false)
    {
        var key = grouping switch
        {
            SessionGrouping.ByUser => "s_has_user AS k_has, s_user AS k",
            SessionGrouping.ByTag => "notEmpty(s_tags) AS k_has, arrayJoin(if(empty(s_tags), [''], s_tags)) AS k",
            SessionGrouping.ByMetadata => "notEmpty(s_meta) AS k_has, arrayJoin(if(empty(s_meta), [''], s_meta)) AS k",
            _ => throw new ArgumentOutOfRangeException(nameof(grouping)),
        };
        var extra = grouping switch
        {
            SessionGrouping.ByUser => "",
            SessionGrouping.ByTag => TagsOnly,
            _ => TagsAndMetadata,
        };
        // Grouped on the node that received the statement, not on the shards (AggregateOfNewestRows): with 200,000 users
        // over 1 M sessions, partial states per group from each shard measured slower (0.92–1.15 s) than the rows
        // (0.67–0.80 s).
        return $"""
            SELECT k_has, k, count(), sum(s_cost_usd), sum(s_cost_pico), sum(s_turns), sum(s_input + s_output), countIf(s_unpriced = s_turns)
            FROM (SELECT s_cost_usd, s_cost_pico, s_turns, s_input, s_output, s_unpriced, {key} FROM ({NewestRowsMatching(filter, extra: extra)}))
            GROUP BY k_has, k{(top ? BreakdownTopOrder + " LIMIT {limit:Count}" : "")}{ShardLocalWithSubqueries} FORMAT JSONCompact
            """;
    }

    /// <summary>
    /// <see cref="BreakdownOrder.Order"/> in SQL: groups of known cost first, cost descending, then no group (k_has = 0)
    /// and the names by code point, which is the byte order of UTF-8 that ClickHouse compares. The cost is whole dollars
    /// and a picodollar rest per session, so a group's rest can pass a dollar: the carry is moved before comparing.
    /// </summary>
    private const string BreakdownTopOrder = " ORDER BY countIf(s_unpriced = s_turns) = count(), sum(s_cost_usd) + intDiv(sum(s_cost_pico), 1000000000000) DESC, "
        + "sum(s_cost_pico) % 1000000000000 DESC, k_has, k";

    /// <summary>How many live session rows were computed under another threshold than {idle_gap:Int64} (0: the threshold is applied).</summary>
    public string RowsUnderOtherThreshold => AggregateOfNewestRows("count()", " AND s_idle_gap != {idle_gap:Int64}");

    /// <summary>The session_rows statements, for the dialect check (the recomputes as their SELECTs).</summary>
    private IEnumerable<(string Name, string Sql)> SessionRowStatements(SessionFilter[] filters)
    {
        yield return ("SessionRowsOf", SessionRowsOf + " FORMAT JSONCompact");
        yield return ("SessionIdsOfProject", SessionIdsOfProject);
        yield return ("MovedSpanIdsOfSessions", MovedSpanIdsOfSessions);
        yield return ("MovedSpanIdsAmong", MovedSpanIdsAmong);
        yield return ("KeysOfSpans", KeysOfSpans);
        yield return ("StaleSessions", StaleSessions);
        yield return ("SpanIdsWrittenSince", SpanIdsWrittenSince);
        yield return ("SessionsInMonths", SessionsInMonths);
        yield return ("ProjectsWrittenAfter", ProjectsWrittenAfter);
        yield return ("RowsUnderOtherThreshold", RowsUnderOtherThreshold);
        foreach (var filter in filters)
        {
            yield return ("SessionStatsByBand", SessionStatsByBand(filter));
            yield return ("PricedCostsInBands", PricedCostsInBands(filter));
            yield return ("PricedCostsAtRanks", PricedCostsAtRanks(filter));
            foreach (var grouping in new SessionGrouping[] { new SessionGrouping.ByUser(), new SessionGrouping.ByTag(), new SessionGrouping.ByMetadata("feature") })
            {
                yield return ($"SessionBreakdown {grouping}", SessionBreakdown(filter, grouping));
                yield return ($"SessionBreakdown top {grouping}", SessionBreakdown(filter, grouping, top: true));
            }
        }
    }
}
