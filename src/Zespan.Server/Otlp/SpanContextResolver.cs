namespace Zespan.Server.Otlp;

/// <summary>
/// Session and user of a span: its own attributes, else its resource's, else those of its nearest ancestor among the spans
/// of the same request. Ancestors that arrived in another request are resolved by the writer (see docs/otel.md).
/// </summary>
internal sealed class SpanContextResolver
{
    private readonly Dictionary<string, OtlpSpanInContext> _byId = new(StringComparer.Ordinal);

    public SpanContextResolver(IReadOnlyList<OtlpSpanInContext> spans)
    {
        foreach (var span in spans)
            _byId.TryAdd(span.Id, span);
    }

    public string? Session(OtlpSpanInContext span) => Resolve(span, OtlpConventions.Session);

    public string? User(OtlpSpanInContext span) => Resolve(span, OtlpConventions.User);

    private string? Resolve(OtlpSpanInContext span, string[] keys)
    {
        var current = span;
        // Bounded walk: a malformed batch may contain a parent cycle.
        for (var depth = 0; depth < 256 && current is not null; depth++)
        {
            if ((current.Attributes.String(keys) ?? current.Resource.String(keys)) is { } found)
                return found;
            current = current.ParentSpanId is { } parent && _byId.TryGetValue(OtlpSpanInContext.ZespanId(current.TraceId, parent), out var next) ? next : null;
        }
        return null;
    }
}
