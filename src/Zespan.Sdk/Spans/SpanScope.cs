using ZespanSdk.Context;
using ZespanSdk.Spans;

namespace ZespanSdk;

/// <summary>
/// A unit of work opened by <see cref="Zespan.StartSpan"/>. While it is open, spans and model calls made in the
/// same async flow become its children and share its trace. Disposing it records it and restores the outer span.
/// </summary>
public sealed class SpanScope : IDisposable
{
    private readonly ZespanTracer _tracer;
    private readonly ContextState _context;
    private readonly ContextScope _ambient;
    private readonly SpanTiming _timing;
    private Dictionary<string, object?>? _metadata;
    private string? _error;
    private int _disposed;

    internal SpanScope(ZespanTracer tracer, string name)
    {
        _tracer = tracer;
        Name = name;
        ContextState outer = AmbientContext.Current;
        ParentId = outer.SpanId;
        TraceId = outer.TraceId ?? SpanIds.NewTraceId();
        Id = SpanIds.NewSpanId();
        IsSampled = outer.Sampled ?? tracer.Samples(outer.SessionId ?? TraceId);
        _context = outer.WithSpan(TraceId, Id, IsSampled);
        _timing = SpanTiming.Start();
        _ambient = AmbientContext.Push(_context);
    }

    public string Name { get; }
    public string Id { get; }
    public string TraceId { get; }
    public string? ParentId { get; }

    /// <summary>Whether this span's trace is recorded (decided at its root, see <see cref="ZespanOptions.SampleRate"/>).</summary>
    internal bool IsSampled { get; }

    /// <summary>Adds a key to this span's metadata (on top of the context's).</summary>
    public SpanScope SetMetadata(string key, object? value)
    {
        (_metadata ??= new())[key] = value;
        return this;
    }

    /// <summary>Marks the span as failed; it is still recorded when disposed.</summary>
    public SpanScope SetError(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        _error = $"{exception.GetType().Name}: {exception.Message}";
        return this;
    }

    public SpanScope SetError(string message)
    {
        _error = message;
        return this;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _ambient.Dispose();
        if (!_tracer.IsRecording || !IsSampled)
        {
            return;
        }

        _tracer.Record(new SpanRecord
        {
            Id = Id,
            TraceId = TraceId,
            ParentId = ParentId,
            SessionId = _context.SessionId,
            SessionName = _context.SessionName,
            UserId = _context.UserId,
            Name = Name,
            Kind = SpanKinds.Span,
            StartTime = _timing.StartTime,
            EndTime = _timing.Now,
            Status = _error is null ? SpanStatuses.Ok : SpanStatuses.Error,
            Error = _error,
            Metadata = SpanMetadata.Merge(_context.Metadata, _metadata ?? EmptyMetadata),
            Tags = _context.Tags,   // [] when none, as docs/sdk-spec.md says
        });
    }

    private static readonly Dictionary<string, object?> EmptyMetadata = new();
}
