namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Cost by model and over time (<see cref="ClickHouseCostReader"/>). The calls of sessions come from the cells of each
/// session's newest row (<see cref="Sessions"/>' calls per model and UTC hour), for the whole hours of the range; the
/// rest is grouped from each span's newest version at read time: the calls of no session (which have no row), and the
/// calls of sessions that started in a partial hour at either end of the range. The three are disjoint, and together
/// they are every live LLM call that started in the range.
/// </summary>
public sealed partial class ClickHouseSql
{
    /// <summary>The span fields the span-level statements read (<see cref="Current(string, IReadOnlyCollection{string}?, bool)"/>).</summary>
    private static readonly string[] CostFields =
    [
        "c_has_session", "c_start", "c_deleted", "c_kind", "c_has_model", "c_model", "c_cost", "c_priced",
        "c_input", "c_output", "c_cached", "c_reasoning", "c_status",
    ];

    /// <summary>
    /// The cells of the live sessions' newest rows (FINAL, as <see cref="FromNewestRows"/>), one row per cell, whose hour
    /// is in [{hours_from:Int64}, {hours_to:Int64}), as m_* columns. Shards group their own sessions' cells and send a
    /// partial state per group.
    /// </summary>
    private string CellsOfHours(string select, string groupBy) => $"""
        SELECT {select}
        FROM {database}.session_rows FINAL
        ARRAY JOIN {string.Join(", ", CellFields.Select(f => $"cell_{f.Name} AS m_{f.Name}"))}
        PREWHERE project_id = {"{project:Int64}"}
        WHERE deleted = 0 AND m_hour >= {"{hours_from:Int64}"} AND m_hour < {"{hours_to:Int64}"}
        GROUP BY {groupBy}
        SETTINGS {ConditionsAfterFinal}
        FORMAT JSONCompact
        """;

    /// <summary>
    /// The columns of a cost by model: has model, model, calls, cost (whole dollars, picodollar rest), unpriced calls,
    /// input, output, cached and reasoning tokens, errors — the same from the cells and from the spans.
    /// </summary>
    public string CostCellsByModel => CellsOfHours(
        "m_has_model, m_model, sum(m_calls), sum(m_cost_usd), sum(m_cost_pico), sum(m_unpriced), sum(m_input_tokens), sum(m_output_tokens), "
        + "sum(m_cached_tokens), sum(m_reasoning_tokens), sum(m_errors)",
        "m_has_model, m_model");

    /// <summary>
    /// The columns of a cost over time: bucket start, calls, cost (whole dollars, picodollar rest), tokens, unpriced calls.
    /// Buckets start at {first:Int64} plus multiples of {bucket:Int64}, a whole number of hours here.
    /// </summary>
    public string CostCellsOverTime => CellsOfHours(
        "{first:Int64} + intDiv(m_hour - {first:Int64}, {bucket:Int64}) * {bucket:Int64} AS b, sum(m_calls), sum(m_cost_usd), sum(m_cost_pico), "
        + "sum(m_input_tokens + m_output_tokens), sum(m_unpriced)",
        "b");

    /// <summary>Which calls a span-level cost statement groups (<see cref="CostOfCallsByModel"/>, <see cref="CostOfCallsOverTime"/>).</summary>
    public enum CostCalls
    {
        /// <summary>The calls of no session that started in [{from:Int64}, {to:Int64}): the rows of session '' (the sort key's prefix), with its moved spans {moved_span_ids:Array(String)}.</summary>
        OfNoSession,

        /// <summary>
        /// The calls of sessions that started in [{edge1_from:Int64}, {edge1_to:Int64}) or [{edge2_from:Int64}, {edge2_to:Int64})
        /// (the partial hours; an absent edge is bound as an empty one): every version of the spans that have a row starting there.
        /// </summary>
        InEdges,

        /// <summary>Every call that started in [{from:Int64}, {to:Int64}) (buckets that are not whole hours).</summary>
        All,
    }

    private string CostCallsSource(CostCalls calls) => calls switch
    {
        CostCalls.OfNoSession => $"{CurrentIn(" AND session_id = ''", CostFields)}) WHERE c_has_session = 0 AND c_start >= {{from:Int64}} AND c_start < {{to:Int64}}",
        CostCalls.InEdges => $"{Current(SpansWithRowsWhere(InEdges("start_ms")), CostFields, prewhere: false)}) "
            + $"WHERE c_has_session = 1 AND {InEdges("c_start")}",
        CostCalls.All => $"{Current("", CostFields, prewhere: false)}) WHERE c_start >= {{from:Int64}} AND c_start < {{to:Int64}}",
        _ => throw new ArgumentOutOfRangeException(nameof(calls)),
    };

    private static string InEdges(string column) =>
        $"({column} >= {{edge1_from:Int64}} AND {column} < {{edge1_to:Int64}} OR {column} >= {{edge2_from:Int64}} AND {column} < {{edge2_to:Int64}})";

    /// <summary>The calls' cost by model, grouped from their spans (the columns of <see cref="CostCellsByModel"/>).</summary>
    public string CostOfCallsByModel(CostCalls calls) => $"""
        SELECT c_has_model, c_model, count(), {ExactCostSum("c_cost")}, countIf(c_priced = 0), sum(c_input), sum(c_output), sum(c_cached), sum(c_reasoning), countIf(c_status = 1)
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
        yield return ("CostCellsByModel", CostCellsByModel);
        yield return ("CostCellsOverTime", CostCellsOverTime);
        foreach (var calls in Enum.GetValues<CostCalls>())
        {
            yield return ($"CostOfCallsByModel {calls}", CostOfCallsByModel(calls));
            yield return ($"CostOfCallsOverTime {calls}", CostOfCallsOverTime(calls));
        }
    }
}
