using OpenAI.Chat;
using ZespanSdk.Context;
using ZespanSdk.OpenAIInstrumentation;

namespace ZespanSdk;

/// <summary>The SDK's entry point: set up once, then open contexts and spans and wrap model clients.</summary>
public static class Zespan
{
    private static ZespanTracer? _tracer;

    /// <summary>The tracer that instrumentation records to when none is given explicitly; a no-op one before <see cref="Init"/>.</summary>
    public static ZespanTracer Tracer => Volatile.Read(ref _tracer) ?? ZespanTracer.Disabled;

    /// <summary>
    /// Creates the process-wide tracer. Options left unset come from <c>ZESPAN_API_KEY</c> and <c>ZESPAN_BASE_URL</c>.
    /// Calling it again replaces the tracer; the previous one is flushed and disposed in the background.
    /// </summary>
    public static ZespanTracer Init(ZespanOptions? options = null)
    {
        var tracer = new ZespanTracer(options ?? new ZespanOptions());
        SetTracer(tracer);
        return tracer;
    }

    internal static void SetTracer(ZespanTracer tracer)
    {
        ZespanTracer? previous = Interlocked.Exchange(ref _tracer, tracer);
        if (previous is not null && previous != tracer)
        {
            _ = previous.DisposeAsync().AsTask();
        }
    }

    /// <summary>Forgets <paramref name="tracer"/> if it is the global one (it is being disposed by its owner).</summary>
    internal static void ClearTracer(ZespanTracer tracer) => Interlocked.CompareExchange(ref _tracer, null, tracer);

    /// <summary>
    /// Attaches a user, a session, tags and metadata to every span recorded in this async flow until the scope
    /// is disposed. Nested contexts merge: inner values win, tags are united, metadata is merged by key.
    /// </summary>
    public static ContextScope Context(
        string? userId = null,
        string? sessionId = null,
        IEnumerable<string>? tags = null,
        IReadOnlyDictionary<string, object?>? metadata = null) =>
        AmbientContext.Push(AmbientContext.Current.MergeWith(userId, sessionId, tags, metadata));

    /// <summary>The session's guard state from the process-wide tracer; see <see cref="ZespanTracer.GetGuardStateAsync"/>.</summary>
    public static Task<Guard.GuardState> GetGuardStateAsync(string sessionId, CancellationToken cancellationToken = default) =>
        Tracer.GetGuardStateAsync(sessionId, cancellationToken);

    /// <summary>Opens a span around any work; model calls and spans inside it become its children.</summary>
    public static SpanScope StartSpan(string name) => Tracer.StartSpan(name);

    /// <summary>Runs <paramref name="work"/> inside a span, marking the span failed if it throws (and rethrowing).</summary>
    public static async Task<T> SpanAsync<T>(string name, Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        using SpanScope span = StartSpan(name);
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            span.SetError(ex);
            throw;
        }
    }

    /// <inheritdoc cref="SpanAsync{T}(string, Func{Task{T}})"/>
    public static async Task SpanAsync(string name, Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        await SpanAsync<bool>(name, async () =>
        {
            await work().ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Returns a <see cref="ChatClient"/> that behaves exactly like <paramref name="client"/> (same model, endpoint,
    /// credentials, retries and return types) and records every chat completion, streaming included.
    /// </summary>
    public static ChatClient Wrap(ChatClient client, ZespanTracer? tracer = null) =>
        OpenAIChatClientWrapper.Wrap(client, tracer);

    /// <summary>Waits until every span recorded so far has been delivered or given up on.</summary>
    public static Task FlushAsync(CancellationToken cancellationToken = default) => Tracer.FlushAsync(cancellationToken);

    /// <summary>Delivers what is queued and stops the global tracer.</summary>
    public static async ValueTask ShutdownAsync()
    {
        ZespanTracer? tracer = Interlocked.Exchange(ref _tracer, null);
        if (tracer is not null)
        {
            await tracer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
