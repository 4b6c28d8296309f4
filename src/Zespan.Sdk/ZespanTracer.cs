using ZespanSdk.Export;
using ZespanSdk.Spans;

namespace ZespanSdk;

/// <summary>
/// Receives finished spans and exports them in the background. One per process is usual: <see cref="Zespan.Init"/>
/// or <c>services.AddZespan(...)</c> creates it. Dispose it (or let the host do so) to deliver what is queued;
/// at process exit it also tries, within <see cref="ZespanOptions.ShutdownTimeout"/>.
/// </summary>
public sealed class ZespanTracer : IAsyncDisposable, IDisposable
{
    private readonly ZespanSettings? _settings;
    private readonly SpanExporter? _exporter;
    private int _disposed;

    /// <summary>A tracer that records nothing: what instrumentation uses before <see cref="Zespan.Init"/>.</summary>
    internal static ZespanTracer Disabled { get; } = new();

    private ZespanTracer()
    {
    }

    public ZespanTracer(ZespanOptions options)
    {
        _settings = ZespanSettings.Resolve(options);
        if (!_settings.Enabled)
        {
            return;
        }
        if (_settings.ApiKey is null)
        {
            Console.Error.WriteLine(
                $"[zespan] no API key: set {ZespanOptions.ApiKeyEnvironmentVariable} or Zespan:ApiKey. Nothing will be recorded.");
            return;
        }

        _exporter = new SpanExporter(_settings, _settings.ApiKey);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>True when spans are being collected for export; instrumentation skips all work otherwise.</summary>
    public bool IsRecording => _exporter is not null && Volatile.Read(ref _disposed) == 0;

    internal bool CaptureContent => _settings?.CaptureContent ?? false;

    /// <summary>The sampling decision for a new root span keyed by its session id, else its trace id.</summary>
    internal bool Samples(string key) => Sampling.IsSampled(key, _settings?.SampleRate ?? 1);

    public ExportStatistics Statistics => _exporter?.Statistics ?? new ExportStatistics(0, 0, 0, 0, 0);

    internal void Record(SpanRecord span) => _exporter?.Enqueue(span);

    /// <summary>Opens a span recorded by this tracer; see <see cref="Zespan.StartSpan"/>.</summary>
    public SpanScope StartSpan(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new SpanScope(this, name);
    }

    /// <summary>Waits until every span recorded so far is delivered (or given up on). Never throws except on cancellation.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) =>
        _exporter?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>Waits at most <paramref name="timeout"/>; returns false if spans were still pending then.</summary>
    public async Task<bool> FlushAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await FlushAsync(cancellation.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads the session's guard state from the server: the rules (cost, turns, user spend, anomaly) it crossed, and
    /// <see cref="Guard.GuardState.Stop"/> when any did, so the application can stop a runaway agent itself.
    /// A session the server does not know yet has crossed nothing. Never throws except on cancellation; see <see cref="Guard.GuardState.Error"/>.
    /// </summary>
    public Task<Guard.GuardState> GetGuardStateAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        if (_settings is null)
            return Task.FromResult(Guard.GuardState.Open(sessionId, "Zespan is not initialised: call Zespan.Init"));
        var client = LazyInitializer.EnsureInitialized(ref _guard, () => new Guard.GuardClient(_settings));
        return client.ReadAsync(sessionId, cancellationToken);
    }

    private Guard.GuardClient? _guard;

    /// <summary>Stops accepting spans, delivers what is queued (within the shutdown timeout) and releases the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        _guard?.Dispose();
        if (_exporter is not null)
        {
            await _exporter.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void OnProcessExit(object? sender, EventArgs e)
    {
        try
        {
            // ProcessExit handlers run on a dedicated thread while the thread pool still works, so blocking here is safe.
            DisposeAsync().AsTask().Wait(_settings!.ShutdownTimeout + TimeSpan.FromSeconds(1));
        }
        catch
        {
            // Exiting anyway; nothing useful to do with an error here.
        }
    }
}
