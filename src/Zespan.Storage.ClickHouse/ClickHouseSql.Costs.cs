namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Cost by model and over time (<see cref="ClickHouseCostReader"/>). The calls of sessions come from the cells of each
/// session's newest row (<see cref="Sessions"/>' calls per model and UTC hour): for the whole hours of the range, and in
/// a partial hour at either end for the sessions whose cell lies wholly in the covered part (<see cref="EdgeHour"/>).
/// The rest is grouped from each span's newest version at read time: the calls of no session (which have no row), and
/// in a partial hour the calls of the sessions active at its cut (<see cref="CellsOfHours"/>). The parts are
/// disjoint, and together they are every live LLM call that started in the range.
/// </summary>
public sealed partial class ClickHouseSql
{
    /// <summary>The span fields the span-level statements read (<see cref="Current(string, IReadOnlyCollection{string}?, bool)"/>).</summary>
    private static readonly string[] CostFields =
    [
        "c_has_session", "c_start", "c_deleted", "c_kind", "c_has_model", "c_model", "c_cost", "c_priced",
        "c_input", "c_output", "c_cached", "c_reasoning", "c_status", "c_cache_written",
    ];

    /// <summary>
    /// The cells of the live sessions' newest rows (FINAL, as <see cref="FromNewestRows"/>) whose hour is in
    /// [{hours_from:Int64}, {hours_to:Int64}), as m_* columns, grouped; the select sums them with <see cref="Sum"/>. Shards
    /// group their own sessions' cells and send a partial state per group. <paramref name="withEdges"/>: the range has
    /// partial hours, whose cells are read too; the sums then count only the whole hours' cells and the partial hours' that
    /// lie wholly in the covered part (<see cref="CellInEdge"/>), and each group ends with the sessions active at a cut of
    /// a partial hour, as (edge, session id) pairs: their calls of that hour are read from their spans
    /// (<see cref="CostCalls.OfStraddlingSessions"/>). One read of the session rows finds both.
    /// </summary>
    private string CellsOfHours(Func<Func<string, string>, string> select, string groupBy, bool withEdges) => $"""
        SELECT {select(column => Sum(column, withEdges))}{(withEdges ? $", groupUniqArrayIf((if(m_hour = {{edge1_hour:Int64}}, 1, 2), session_id), {CellInEdge(1, wholly: false)} OR {CellInEdge(2, wholly: false)})" : "")}
        FROM {database}.session_rows FINAL
        ARRAY JOIN {string.Join(", ", CellFields.Select(f => $"cell_{f.Name} AS m_{f.Name}"))}
        PREWHERE project_id = {"{project:Int64}"}
        WHERE deleted = 0 AND (m_hour >= {"{hours_from:Int64}"} AND m_hour < {"{hours_to:Int64}"}{(withEdges ? " OR m_hour = {edge1_hour:Int64} OR m_hour = {edge2_hour:Int64}" : "")})
        GROUP BY {groupBy}
        SETTINGS {ConditionsAfterFinal}
        FORMAT JSONCompact
        """;

    /// <summary>The sum of a cell column over the counted cells (<see cref="CellsOfHours"/>): all that are read, without edges.</summary>
    private static string Sum(string column, bool withEdges) => withEdges
        ? $"sumIf({column}, m_hour >= {{hours_from:Int64}} AND m_hour < {{hours_to:Int64}} OR {CellInEdge(1, wholly: true)} OR {CellInEdge(2, wholly: true)})"
        : $"sum({column})";

    /// <summary>
    /// A session row's cell m_hour is the partial hour {edgeN_hour:Int64} (N = <paramref name="edge"/>; an absent one is
    /// bound to an hour no cell has) and, <paramref name="wholly"/>, lies wholly in its covered part (the session started
    /// at or after {edgeN_started:Int64} and ended before {edgeN_ended:Int64}, see <see cref="EdgeHour"/>), or else has
    /// calls on both sides of a cut: neither wholly in nor wholly outside [{edgeN_from:Int64}, {edgeN_to:Int64}).
    /// </summary>
    private static string CellInEdge(int edge, bool wholly)
    {
        var inPart = $"started_ms >= {{edge{edge}_started:Int64}} AND ended_ms < {{edge{edge}_ended:Int64}}";
        return wholly
            ? $"m_hour = {{edge{edge}_hour:Int64}} AND {inPart}"
            : $"m_hour = {{edge{edge}_hour:Int64}} AND NOT ({inPart}) AND started_ms < {{edge{edge}_to:Int64}} AND ended_ms >= {{edge{edge}_from:Int64}}";
    }

    /// <summary>
    /// The columns of a cost by model: has model, model, calls, cost (whole dollars, picodollar rest), unpriced calls,
    /// input, output, cached and reasoning tokens, errors, cache writes — the same from the cells and from the spans.
    /// </summary>
    public string CostCellsByModel(bool withEdges) => CellsOfHours(
        sum => "m_has_model, m_model, " + string.Join(", ", new[]
        {
            "m_calls", "m_cost_usd", "m_cost_pico", "m_unpriced", "m_input_tokens", "m_output_tokens", "m_cached_tokens", "m_reasoning_tokens", "m_errors",
            "m_cache_written_tokens",
        }.Select(sum)),
        "m_has_model, m_model", withEdges);

    /// <summary>
    /// The columns of a cost over time: bucket start, calls, cost (whole dollars, picodollar rest), tokens, unpriced calls.
    /// Buckets start at {first:Int64} plus multiples of {bucket:Int64}, a whole number of hours here.
    /// </summary>
    public string CostCellsOverTime(bool withEdges) => CellsOfHours(
        sum => "{first:Int64} + intDiv(m_hour - {first:Int64}, {bucket:Int64}) * {bucket:Int64} AS b, "
            + string.Join(", ", new[] { "m_calls", "m_cost_usd", "m_cost_pico", "m_input_tokens + m_output_tokens", "m_unpriced" }.Select(sum)),
        "b", withEdges);

    /// <summary>Which calls a span-level cost statement groups (<see cref="CostOfCallsByModel"/>, <see cref="CostOfCallsOverTime"/>).</summary>
    public enum CostCalls
    {
        /// <summary>The calls of no session that started in [{from:Int64}, {to:Int64}): the rows of session '' (the sort key's prefix), with its moved spans {moved_span_ids:Array(String)}.</summary>
        OfNoSession,

        /// <summary>
        /// The calls that started in [{edge1_from:Int64}, {edge1_to:Int64}) of the sessions {straddling1:Array(String)}, and in
        /// [{edge2_from:Int64}, {edge2_to:Int64}) of the sessions {straddling2:Array(String)} (found with the cells, <see cref="CellsOfHours"/>;
        /// an absent edge is bound as an empty one): those sessions' rows (the sort key's prefix), with their moved spans
        /// {moved_span_ids:Array(String)}.
        /// </summary>
        OfStraddlingSessions,

        /// <summary>Every call that started in [{from:Int64}, {to:Int64}) (buckets that are not whole hours).</summary>
        All,
    }

    private string CostCallsSource(CostCalls calls) => calls switch
    {
        CostCalls.OfNoSession => $"{CurrentIn(" AND session_id = ''", CostFields)}) WHERE c_has_session = 0 AND c_start >= {{from:Int64}} AND c_start < {{to:Int64}}",
        CostCalls.OfStraddlingSessions => $"{CurrentIn(" AND session_id IN (SELECT arrayJoin(arrayConcat({straddling1:Array(String)}, {straddling2:Array(String)})))", StraddlingFields)}) "
            + $"WHERE c_has_session = 1 AND ({CallInEdge(1)} OR {CallInEdge(2)})",
        CostCalls.All => $"{Current("", CostFields, prewhere: false)}) WHERE c_start >= {{from:Int64}} AND c_start < {{to:Int64}}",
        _ => throw new ArgumentOutOfRangeException(nameof(calls)),
    };

    /// <summary>The span fields of <see cref="CostCalls.OfStraddlingSessions"/>: the cost fields and the session each call is in now.</summary>
    private static readonly string[] StraddlingFields = [.. CostFields, "c_session"];

    /// <summary>A call (its newest version) started in edge N's covered part and is in one of the sessions active at that edge's cut.</summary>
    private static string CallInEdge(int edge) =>
        $"c_start >= {{edge{edge}_from:Int64}} AND c_start < {{edge{edge}_to:Int64}} AND has({{straddling{edge}:Array(String)}}, c_session)";

    /// <summary>The calls' cost by model, grouped from their spans (the columns of <see cref="CostCellsByModel"/>).</summary>
    public string CostOfCallsByModel(CostCalls calls) => $"""
        SELECT c_has_model, c_model, count(), {ExactCostSum("c_cost")}, countIf(c_priced = 0), sum(c_input), sum(c_output), sum(c_cached), sum(c_reasoning), countIf(c_status = 1),
            sum(c_cache_written)
        FROM ({CostCallsSource(calls)} AND c_deleted = 0 AND c_kind = 1
        GROUP BY c_has_model, c_model
        FORMAT JSONCompact
        """;

    /// <summary>The calls' cost per bucket, grouped from their spans (the columns of <see cref="CostCellsOverTime"/>).</summary>
    public string CostOfCallsOverTime(CostCalls calls) => $"""
        SELECT {"{first:Int64}"} + intDiv(c_start - {"{first:Int64}"}, {"{bucket:Int64}"}) * {"{bucket:Int64}"} AS b, count(), {ExactCostSum("c_cost")}, sum(c_input + c_output), countIf(c_priced = 0)
        FROM ({CostCallsSource(calls)} AND c_deleted = 0 AND c_kind = 1
        GROUP BY b
        FORMAT JSONCompact
        """;

    private IEnumerable<(string Name, string Sql)> CostStatements()
    {
        foreach (var withEdges in new[] { false, true })
        {
            yield return ($"CostCellsByModel edges={withEdges}", CostCellsByModel(withEdges));
            yield return ($"CostCellsOverTime edges={withEdges}", CostCellsOverTime(withEdges));
        }
        foreach (var calls in Enum.GetValues<CostCalls>())
        {
            yield return ($"CostOfCallsByModel {calls}", CostOfCallsByModel(calls));
            yield return ($"CostOfCallsOverTime {calls}", CostOfCallsOverTime(calls));
        }
    }
}
