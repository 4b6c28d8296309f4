using System.Text.Json.Nodes;
using ZespanSdk.Context;

namespace ZespanSdk.Spans;

/// <summary>
/// One model call being recorded. Captures the ambient context when the call starts, collects what the
/// provider answers, and hands exactly one <see cref="SpanRecord"/> to the tracer however the call ends.
/// </summary>
internal sealed class LlmSpan
{
    private readonly ZespanTracer _tracer;
    private readonly ContextState _context;
    private readonly SpanTiming _timing;
    private readonly string _name;
    private readonly string? _provider;
    private TimeSpan? _timeToFirstToken;
    private int _ended;

    private LlmSpan(ZespanTracer tracer, string name, string? provider)
    {
        _tracer = tracer;
        _context = AmbientContext.Current;
        _timing = SpanTiming.Start();
        _name = name;
        _provider = provider;
    }

    /// <summary>Null when the tracer is not recording, so callers skip all capture work.</summary>
    public static LlmSpan? Start(ZespanTracer tracer, string name, string? provider) =>
        tracer.IsRecording ? new LlmSpan(tracer, name, provider) : null;

    public bool CaptureContent => _tracer.CaptureContent;

    public string? RequestedModel { get; set; }
    public string? ResponseModel { get; set; }
    public TokenUsage? Usage { get; set; }
    public JsonNode? Input { get; set; }
    public JsonNode? Output { get; set; }
    public Dictionary<string, object?> CallMetadata { get; } = new();

    public bool HasEnded => Volatile.Read(ref _ended) != 0;

    /// <summary>First streamed token: the gap users feel before anything appears.</summary>
    public void MarkFirstToken() => _timeToFirstToken ??= _timing.Elapsed;

    public void EndOk() => End(SpanStatuses.Ok, null);

    public void EndError(string message) => End(SpanStatuses.Error, message);

    private void End(string status, string? error)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        if (_timeToFirstToken is { } ttft)
        {
            CallMetadata["timeToFirstTokenMs"] = Math.Round(ttft.TotalMilliseconds, 1);
        }

        _tracer.Record(new SpanRecord
        {
            Id = SpanIds.NewSpanId(),
            TraceId = _context.TraceId ?? SpanIds.NewTraceId(),
            ParentId = _context.SpanId,
            SessionId = _context.SessionId,
            UserId = _context.UserId,
            Name = _name,
            Kind = SpanKinds.Llm,
            Model = ResponseModel ?? RequestedModel,
            Provider = _provider,
            StartTime = _timing.StartTime,
            EndTime = _timing.Now,
            Usage = Usage,
            Status = status,
            Error = error,
            Input = _tracer.CaptureContent ? Input : null,
            Output = _tracer.CaptureContent ? Output : null,
            Metadata = SpanMetadata.Merge(_context.Metadata, CallMetadata),
            Tags = _context.Tags.Length > 0 ? _context.Tags : null,
        });
    }
}
