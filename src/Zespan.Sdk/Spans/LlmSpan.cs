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
    private readonly string _traceId;
    private TimeSpan? _timeToFirstToken;
    private int _streamChunks;
    private int _ended;

    private LlmSpan(ZespanTracer tracer, ContextState context, string traceId, string name, string? provider)
    {
        _tracer = tracer;
        _context = context;
        _traceId = traceId;
        _timing = SpanTiming.Start();
        _name = name;
        _provider = provider;
    }

    /// <summary>Null when the tracer is not recording or the trace is not sampled, so callers skip all capture work.</summary>
    public static LlmSpan? Start(ZespanTracer tracer, string name, string? provider)
    {
        if (!tracer.IsRecording)
        {
            return null;
        }
        ContextState context = AmbientContext.Current;
        string traceId = context.TraceId ?? SpanIds.NewTraceId();
        // Inside a span the trace's decision holds; a call outside any span is a root and decides by session.
        bool sampled = context.Sampled ?? tracer.Samples(context.SessionId ?? traceId);
        return sampled ? new LlmSpan(tracer, context, traceId, name, provider) : null;
    }

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

    /// <summary>One more event of a streamed call received (<c>[DONE]</c> excluded): the spec's <c>chunks</c>.</summary>
    public void CountStreamChunk() => CallMetadata["chunks"] = ++_streamChunks;

    /// <summary>The caller left (disposed the stream, stopped enumerating) before its end: <c>streamEndedEarly</c>.</summary>
    public void MarkStreamEndedEarly() => CallMetadata["streamEndedEarly"] = true;

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
            TraceId = _traceId,
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
            Tags = _context.Tags,   // [] when none, as docs/sdk-spec.md says
        });
    }
}
