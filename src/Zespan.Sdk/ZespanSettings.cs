namespace ZespanSdk;

/// <summary>Options with environment defaults applied and every value checked, so the exporter never meets a bad one.</summary>
internal sealed record ZespanSettings(
    string? ApiKey,
    Uri IngestUri,
    bool Enabled,
    bool CaptureContent,
    double SampleRate,
    int FlushAt,
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

        RequirePositive(options.FlushAt, "FlushAt");
        RequirePositive(options.MaxBatchSize, "MaxBatchSize");
        RequirePositive(options.MaxQueueSize, "MaxQueueSize");
        RequirePositive(options.FlushInterval, "FlushInterval");
        RequirePositive(options.InitialRetryDelay, "InitialRetryDelay");
        RequirePositive(options.MaxRetryDelay, "MaxRetryDelay");
        RequirePositive(options.RequestTimeout, "RequestTimeout");
        double sampleRate = options.SampleRate;
        if (!options.SampleRateSet && FirstNonEmpty(Environment.GetEnvironmentVariable(ZespanOptions.SampleRateEnvironmentVariable)) is { } rateText)
        {
            if (!double.TryParse(rateText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out sampleRate))
            {
                throw new ArgumentException(
                    $"{ZespanOptions.SampleRateEnvironmentVariable} must be a number between 0 and 1 (was '{rateText}').", nameof(options));
            }
        }
        if (!(sampleRate >= 0 && sampleRate <= 1))
        {
            throw new ArgumentException(
                $"Zespan:SampleRate (or {ZespanOptions.SampleRateEnvironmentVariable}) must be between 0 and 1 (was {sampleRate}).", nameof(options));
        }
        if (options.MaxRetries < 0)
        {
            throw new ArgumentException("Zespan:MaxRetries must be zero or more.", nameof(options));
        }
        if (options.ShutdownTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("Zespan:ShutdownTimeout must be zero or more.", nameof(options));
        }

        // The environment's switches are an operator's: they turn recording off and logging on whatever the code says.
        bool enabled = options.Enabled && EnvironmentFlag(ZespanOptions.EnabledEnvironmentVariable) != false;
        bool debug = options.Debug || EnvironmentFlag(ZespanOptions.DebugEnvironmentVariable) == true;
        bool captureContent = options.CaptureContentSet
            ? options.CaptureContent
            : EnvironmentFlag(ZespanOptions.CaptureContentEnvironmentVariable) ?? true;

        Action<string>? debugLog = debug
            ? options.DebugLog ?? (message => Console.Error.WriteLine(message))
            : null;

        return new ZespanSettings(
            apiKey,
            new Uri(baseUri, "api/v1/ingest"),
            enabled,
            captureContent,
            sampleRate,
            options.FlushAt,
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

    /// <summary><c>0</c>, <c>false</c>, <c>no</c>, <c>off</c> (any case) are false, anything else non-empty true; unset or empty is null.</summary>
    private static bool? EnvironmentFlag(string name) =>
        FirstNonEmpty(Environment.GetEnvironmentVariable(name)) is { } text
            ? !(text.Equals("0", StringComparison.Ordinal) || text.Equals("false", StringComparison.OrdinalIgnoreCase)
                || text.Equals("no", StringComparison.OrdinalIgnoreCase) || text.Equals("off", StringComparison.OrdinalIgnoreCase))
            : null;

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
