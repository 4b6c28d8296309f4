using System.Text.Json;
using Microsoft.Data.Sqlite;
using Zespan.Core.Spans;

namespace Zespan.Storage.Sqlite;

/// <summary>Reads a full stored span (with its prompt and completion) back into a SpanRecord.</summary>
internal static class SpanRows
{
    public const string Columns = """
        sp.span_id, sp.trace_id, sp.parent_id, sp.session_id, sp.user_id, sp.name, sp.kind, sp.model, sp.provider, sp.start_ms, sp.end_ms,
        sp.input_tokens, sp.output_tokens, sp.cached_input_tokens, sp.reasoning_tokens, sp.cost_pico, sp.cost_source, sp.status, sp.error,
        sp.metadata, sp.tags, pl.input, pl.output, sp.usage_reported, sp.cache_creation_input_tokens
        """;

    public const string From = "spans sp LEFT JOIN span_payloads pl ON pl.span_row_id = sp.id";

    public static SpanRecord Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        TraceId = r.GetString(1),
        ParentId = r.GetNullableString(2),
        SessionId = r.GetNullableString(3),
        UserId = r.GetNullableString(4),
        Name = r.GetString(5),
        Kind = (SpanKind)r.GetInt32(6),
        Model = r.GetNullableString(7),
        Provider = r.GetNullableString(8),
        StartMs = r.GetInt64(9),
        EndMs = r.GetInt64(10),
        Usage = new TokenUsage(r.GetInt64(11), r.GetInt64(12), r.GetInt64(13), r.GetInt64(14), r.GetInt64(24)),
        CostPico = r.GetNullableInt64(15),
        CostSource = (CostSource)r.GetInt32(16),
        Status = (SpanStatus)r.GetInt32(17),
        Error = r.GetNullableString(18),
        MetadataJson = r.GetNullableString(19),
        Tags = r.IsDBNull(20) ? [] : JsonSerializer.Deserialize<string[]>(r.GetString(20))!,
        InputJson = r.GetNullableString(21),
        OutputJson = r.GetNullableString(22),
        UsageReported = r.GetInt64(23) != 0,
    };
}
