namespace ZespanSdk;

/// <summary>Settings for <see cref="Zespan.Init"/> and <c>services.AddZespan(...)</c>.</summary>
/// <remarks>
/// The options of docs/sdk-spec.md, shared by the three Zespan SDKs. Every value has a working default. A value set in
/// code (or configuration) wins over its environment variable (<c>ZESPAN_API_KEY</c>, <c>ZESPAN_BASE_URL</c>,
/// <c>ZESPAN_SAMPLE_RATE</c>, <c>ZESPAN_CAPTURE_CONTENT</c>), which wins over the default; except
/// <c>ZESPAN_ENABLED=false</c>, which turns recording off, and <c>ZESPAN_DEBUG=true</c>, which turns logging on,
/// whatever the code says (an operator's switches).
/// </remarks>
public sealed class ZespanOptions
{
    public const string ApiKeyEnvironmentVariable = "ZESPAN_API_KEY";
    public const string BaseUrlEnvironmentVariable = "ZESPAN_BASE_URL";
    public const string EnabledEnvironmentVariable = "ZESPAN_ENABLED";
    public const string DebugEnvironmentVariable = "ZESPAN_DEBUG";
    public const string SampleRateEnvironmentVariable = "ZESPAN_SAMPLE_RATE";
    public const string CaptureContentEnvironmentVariable = "ZESPAN_CAPTURE_CONTENT";
    public const string DefaultBaseUrl = "http://localhost:5080";

    private double? _sampleRate;
    private bool? _captureContent;

    /// <summary>Project API key (<c>zsp_...</c>). Without one nothing is exported.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Where the Zespan server listens; <c>/api/v1/ingest</c> is appended.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Set to false to turn recording off without removing the instrumentation.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Record prompts and completions (default <c>ZESPAN_CAPTURE_CONTENT</c>, else true). Turn off when they hold
    /// data that must not leave the app.
    /// </summary>
    public bool CaptureContent { get => _captureContent ?? true; set => _captureContent = value; }

    internal bool CaptureContentSet => _captureContent is not null;

    /// <summary>
    /// Fraction of sessions recorded, 0 to 1. Decided once per root span by the rule all Zespan SDKs share
    /// (<c>zespan-fnv1a32-fmix32</c> over the session id, else the trace id; docs/sdk-spec.md), so every trace of a
    /// session gets the same decision here and in the JS and Python SDKs.
    /// </summary>
    /// <remarks>Default <c>ZESPAN_SAMPLE_RATE</c>, else 1.</remarks>
    public double SampleRate { get => _sampleRate ?? 1.0; set => _sampleRate = value; }

    internal bool SampleRateSet => _sampleRate is not null;

    /// <summary>Send as soon as this many spans are queued, without waiting for <see cref="FlushInterval"/>.</summary>
    public int FlushAt { get; set; } = 20;

    /// <summary>Most spans in one ingest request.</summary>
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>Spans waiting for export; when full, new spans are dropped and counted rather than blocking the app.</summary>
    public int MaxQueueSize { get; set; } = 10_000;

    /// <summary>How long a span may wait for companions before a partial batch is sent.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts after the first for a batch that failed with 429, 5xx or a network error.</summary>
    public int MaxRetries { get; set; } = 10;

    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Per ingest request.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long disposal and process exit wait for queued spans to be delivered.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Write export problems (rejected items, 4xx answers, dropped spans) to <see cref="DebugLog"/>.</summary>
    public bool Debug { get; set; }

    /// <summary>Where debug messages go; standard error when not set.</summary>
    public Action<string>? DebugLog { get; set; }

    /// <summary>Replaces the HTTP handler used for ingestion (proxies, tests).</summary>
    public HttpMessageHandler? HttpMessageHandler { get; set; }
}
