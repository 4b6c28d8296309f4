using Zespan.Core.Sessions;
using Zespan.Core.Spans;

namespace Zespan.Storage.ClickHouse;

/// <summary>One version of a span as a row of the spans table (JSONEachRow, snake_case names = column names).</summary>
internal sealed record SpanRow
{
    public long ProjectId { get; init; }
    public string SpanId { get; init; } = "";
    public string TraceId { get; init; } = "";
    public string ParentId { get; init; } = "";
    public int HasParent { get; init; }
    public string SessionId { get; init; } = "";
    public int HasSession { get; init; }
    public string UserId { get; init; } = "";
    public int HasUser { get; init; }
    public string Name { get; init; } = "";
    public int Kind { get; init; }
    public string Model { get; init; } = "";
    public int HasModel { get; init; }
    public string Provider { get; init; } = "";
    public int HasProvider { get; init; }
    public long StartMs { get; init; }
    public long EndMs { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long CachedInputTokens { get; init; }
    public long ReasoningTokens { get; init; }
    public long CacheCreationInputTokens { get; init; }
    public long CostPico { get; init; }
    public int Priced { get; init; }
    public int CostSource { get; init; }
    public int Status { get; init; }
    public string Error { get; init; } = "";
    public int HasError { get; init; }
    public string InputJson { get; init; } = "";
    public int HasInput { get; init; }
    public string OutputJson { get; init; } = "";
    public int HasOutput { get; init; }
    public string MetadataJson { get; init; } = "";
    public int HasMetadata { get; init; }
    public IReadOnlyList<string> MetadataKeys { get; init; } = [];
    public IReadOnlyList<string> MetadataValues { get; init; } = [];
    public IReadOnlyList<string> Tags { get; init; } = [];
    public ulong Version { get; init; }
    public int Deleted { get; init; }
    public int UsageReported { get; init; } = 1;
    public string SessionName { get; init; } = "";
    public int HasSessionName { get; init; }
    /// <summary>The first user message of the span's input (SessionNames.FirstUserMessage), a candidate session name.</summary>
    public string UserText { get; init; } = "";
    public int HasUserText { get; init; }

    private static int Has(object? value) => value is null ? 0 : 1;

    public static SpanRow Of(long projectId, SpanRecord s, ulong version)
    {
        var userText = s.Kind == SpanKind.Llm ? SessionNames.FirstUserMessage(s.InputJson) : null;
        return new SpanRow
        {
            ProjectId = projectId,
            SpanId = s.Id,
            TraceId = s.TraceId,
            ParentId = s.ParentId ?? "",
            HasParent = Has(s.ParentId),
            SessionId = s.SessionId ?? "",
            HasSession = Has(s.SessionId),
            UserId = s.UserId ?? "",
            HasUser = Has(s.UserId),
            Name = s.Name,
            Kind = (int)s.Kind,
            Model = s.Model ?? "",
            HasModel = Has(s.Model),
            Provider = s.Provider ?? "",
            HasProvider = Has(s.Provider),
            StartMs = s.StartMs,
            EndMs = s.EndMs,
            InputTokens = s.Usage.InputTokens,
            OutputTokens = s.Usage.OutputTokens,
            CachedInputTokens = s.Usage.CachedInputTokens,
            ReasoningTokens = s.Usage.ReasoningTokens,
            CacheCreationInputTokens = s.Usage.CacheCreationInputTokens,
            CostPico = s.CostPico ?? 0,
            Priced = Has(s.CostPico),
            CostSource = (int)s.CostSource,
            Status = (int)s.Status,
            Error = s.Error ?? "",
            HasError = Has(s.Error),
            InputJson = s.InputJson ?? "",
            HasInput = Has(s.InputJson),
            OutputJson = s.OutputJson ?? "",
            HasOutput = Has(s.OutputJson),
            MetadataJson = s.MetadataJson ?? "",
            HasMetadata = Has(s.MetadataJson),
            MetadataKeys = s.MetadataValues.Keys.ToList(),
            MetadataValues = s.MetadataValues.Values.ToList(),
            Tags = s.Tags,
            Version = version,
            UsageReported = s.UsageReported ? 1 : 0,
            SessionName = s.SessionName ?? "",
            HasSessionName = Has(s.SessionName),
            UserText = userText ?? "",
            HasUserText = Has(userText),
        };
    }
}

/// <summary>Content sent apart from its span, one version per row of span_content.</summary>
internal sealed record ContentRow(long ProjectId, string SpanId, string InputJson, int HasInput, string OutputJson, int HasOutput, ulong Version);

/// <summary>
/// Versions for rows: the wall clock in 100 ns ticks, strictly increasing within this process. Across servers the newest
/// write wins as far as their clocks agree (NTP keeps that to milliseconds; re-sends of one span are seconds apart).
/// </summary>
public sealed class RowVersions(TimeProvider time)
{
    private long _last;

    public ulong Next()
    {
        var now = time.GetUtcNow().UtcTicks;
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
                return (ulong)next;
        }
    }
}
