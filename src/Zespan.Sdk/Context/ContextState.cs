using System.Collections.Frozen;

namespace ZespanSdk.Context;

/// <summary>
/// The user, session (id and name), tags, metadata and enclosing span in effect for the current async flow.
/// Immutable: nesting creates a new state, so a child task can never change what its parent sees.
/// </summary>
internal sealed class ContextState
{
    public static readonly ContextState Empty = new(
        null, null, [], FrozenDictionary<string, object?>.Empty, null, null, null, null);

    public ContextState(
        string? userId,
        string? sessionId,
        string[] tags,
        IReadOnlyDictionary<string, object?> metadata,
        string? traceId,
        string? spanId,
        bool? sampled,
        string? sessionName)
    {
        UserId = userId;
        SessionId = sessionId;
        Tags = tags;
        Metadata = metadata;
        TraceId = traceId;
        SpanId = spanId;
        Sampled = sampled;
        SessionName = sessionName;
    }

    public string? UserId { get; }
    public string? SessionId { get; }

    /// <summary>The session's readable name, sent as <c>sessionName</c>; null lets the server name it after its first user message.</summary>
    public string? SessionName { get; }
    public string[] Tags { get; }
    public IReadOnlyDictionary<string, object?> Metadata { get; }

    /// <summary>Trace of the enclosing span; null outside any span, so each call starts its own trace.</summary>
    public string? TraceId { get; }

    /// <summary>The enclosing span, parent of whatever is recorded inside it.</summary>
    public string? SpanId { get; }

    /// <summary>The enclosing trace's sampling decision (taken once at its root); null outside any span.</summary>
    public bool? Sampled { get; }

    /// <summary>Inner values win; tags are united and metadata merged key by key.</summary>
    public ContextState MergeWith(
        string? userId,
        string? sessionId,
        IEnumerable<string>? tags,
        IReadOnlyDictionary<string, object?>? metadata,
        string? sessionName = null)
    {
        string[] mergedTags = tags is null ? Tags : Tags.Union(tags).ToArray();

        IReadOnlyDictionary<string, object?> mergedMetadata = Metadata;
        if (metadata is { Count: > 0 })
        {
            var combined = new Dictionary<string, object?>(Metadata);
            foreach (KeyValuePair<string, object?> pair in metadata)
            {
                combined[pair.Key] = pair.Value;
            }
            mergedMetadata = combined.ToFrozenDictionary();
        }

        return new ContextState(
            userId ?? UserId,
            sessionId ?? SessionId,
            mergedTags,
            mergedMetadata,
            TraceId,
            SpanId,
            Sampled,
            sessionName ?? SessionName);
    }

    public ContextState WithSpan(string traceId, string spanId, bool sampled) =>
        new(UserId, SessionId, Tags, Metadata, traceId, spanId, sampled, SessionName);
}
