namespace ZespanSdk;

/// <summary>Options with environment defaults applied and every value checked, so the exporter never meets a bad one.</summary>
internal sealed record ZespanSettings(
    string? ApiKey,
    Uri IngestUri,
    bool Enabled,
    bool CaptureContent,
    double SampleRate,
    int MaxBatchSize,
    int MaxQueueSize,
    TimeSpan FlushInterval,
    int MaxRetries,
    TimeSpan InitialRetryDelay,
    TimeSpan MaxRetryDelay,
    TimeSpan RequestTimeout,
    TimeSpan ShutdownTimeout,
    Action<string>? DebugLog,
    HttpMessageHandler? HttpMessageHandler)
{
    public static ZespanSettings Resolve(ZespanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        string? apiKey = FirstNonEmpty(options.ApiKey, Environment.GetEnvironmentVariable(ZespanOptions.ApiKeyEnvironmentVariable));
        string baseUrl = FirstNonEmpty(options.BaseUrl, Environment.GetEnvironmentVariable(ZespanOptions.BaseUrlEnvironmentVariable))
            ?? ZespanOptions.DefaultBaseUrl;

        if (!Uri.TryCreate(baseUrl.TrimEnd('/') + "/", UriKind.Absolute, out Uri? baseUri)
            || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException(
                $"Zespan BaseUrl '{baseUrl}' is not an absolute http(s) URL. Fix Zespan:BaseUrl or {ZespanOptions.BaseUrlEnvironmentVariable}.",
                nameof(options));
        }

        RequirePositive(options.MaxBatchSize, "MaxBatchSize");
        RequirePositive(options.MaxQueueSize, "MaxQueueSize");
        RequirePositive(options.FlushInterval, "FlushInterval");
        RequirePositive(options.InitialRetryDelay, "InitialRetryDelay");
        RequirePositive(options.MaxRetryDelay, "MaxRetryDelay");
        RequirePositive(options.RequestTimeout, "RequestTimeout");
        if (!(options.SampleRate >= 0 && options.SampleRate <= 1))
        {
            throw new ArgumentException($"Zespan:SampleRate must be between 0 and 1 (was {options.SampleRate}).", nameof(options));
        }
        if (options.MaxRetries < 0)
        {
            throw new ArgumentException("Zespan:MaxRetries must be zero or more.", nameof(options));
        }
        if (options.ShutdownTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("Zespan:ShutdownTimeout must be zero or more.", nameof(options));
        }

        Action<string>? debugLog = options.Debug
            ? options.DebugLog ?? (message => Console.Error.WriteLine(message))
            : null;

        return new ZespanSettings(
            apiKey,
            new Uri(baseUri, "api/v1/ingest"),
            options.Enabled,
            options.CaptureContent,
            options.SampleRate,
            options.MaxBatchSize,
            options.MaxQueueSize,
            options.FlushInterval,
            options.MaxRetries,
            options.InitialRetryDelay,
            options.MaxRetryDelay,
            options.RequestTimeout,
            options.ShutdownTimeout,
            debugLog,
            options.HttpMessageHandler);
    }

    private static string? FirstNonEmpty(params string?[] values) =>
        values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();

    private static void RequirePositive(int value, string key)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"Zespan:{key} must be greater than zero (was {value}).", nameof(value));
        }
    }

    private static void RequirePositive(TimeSpan value, string key)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Zespan:{key} must be greater than zero (was {value}).", nameof(value));
        }
    }
}
