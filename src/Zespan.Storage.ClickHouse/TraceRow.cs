using Zespan.Core.Spans;
using Zespan.Core.Traces;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// One row of trace_rows as the writer sends it (JSONEachRow, snake_case names = column names), folded on the server
/// from the span rows it has just written when those are the trace's every span at its newest version
/// (<see cref="TraceRowKeeper"/>). The figures are <see cref="TraceFigures"/>, the one definition that
/// <see cref="ClickHouseSql.TraceRowsOf"/> computes in SQL; TraceRowTests checks that both give the same row.
/// </summary>
internal sealed record TraceRow
{
    public long ProjectId { get; init; }
    public string TraceId { get; init; } = "";
    public string RootName { get; init; } = "";
    public int HasRoot { get; init; }
    public long StartedMs { get; init; }
    public long EndedMs { get; init; }
    public long Spans { get; init; }
    public long LlmCalls { get; init; }
    public long CostUsd { get; init; }
    public long CostPico { get; init; }
    public long Unpriced { get; init; }
    public long Tokens { get; init; }
    public long Errors { get; init; }
    public string UserId { get; init; } = "";
    public int HasUser { get; init; }
    public string SessionId { get; init; } = "";
    public int HasSession { get; init; }
    public IReadOnlyList<string> Models { get; init; } = [];
    public ulong Version { get; init; }
    public int Deleted { get; init; }

    /// <summary>The row of a trace whose live spans are exactly <paramref name="spans"/> (each its newest version).</summary>
    public static TraceRow Of(long projectId, string traceId, IReadOnlyCollection<SpanRow> spans, ulong version)
    {
        var figures = new TraceFigures();
        foreach (var s in spans)
        {
            // The has_* flags say whether a value was given, as the SQL definition reads them ('' can be a value).
            figures.Add(s.SpanId, s.HasParent == 1 ? s.ParentId : null, s.Name, (SpanKind)s.Kind, s.StartMs, s.EndMs, s.InputTokens + s.OutputTokens,
                s.Priced == 1 ? s.CostPico : null, (SpanStatus)s.Status, s.HasUser == 1 ? s.UserId : null, s.HasSession == 1 ? s.SessionId : null);
        }
        return new TraceRow
        {
            ProjectId = projectId,
            TraceId = traceId,
            RootName = figures.Root.Value ?? "",
            HasRoot = figures.Root.HasValue ? 1 : 0,
            StartedMs = figures.StartedMs,
            EndedMs = figures.EndedMs,
            Spans = figures.SpanCount,
            LlmCalls = figures.LlmCalls,
            // Whole dollars and a rest below one: the list reads the pair as dollars × 10^12 + rest (JsonCell.Cost).
            CostUsd = (long)(figures.CostPico / Money.PicoPerUsd),
            CostPico = (long)(figures.CostPico % Money.PicoPerUsd),
            Unpriced = figures.UnpricedCalls,
            Tokens = figures.TotalTokens,
            Errors = figures.Errors,
            UserId = figures.User.Value ?? "",
            HasUser = figures.User.HasValue ? 1 : 0,
            SessionId = figures.Session.Value ?? "",
            HasSession = figures.Session.HasValue ? 1 : 0,
            Models = spans.Where(s => s.HasModel == 1).Select(s => s.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            Version = version,
        };
    }
}
