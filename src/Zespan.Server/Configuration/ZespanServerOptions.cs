using Zespan.Core.Projects;

namespace Zespan.Server.Configuration;

/// <summary>Server settings. Each can be set by the environment variable named in its comment.</summary>
public sealed class ZespanServerOptions
{
    /// <summary>ZESPAN_DATA: folder of the SQLite database. Default: .zespan-data at the repository root (see DefaultDataFolder).</summary>
    public string DataDirectory { get; set; } = DefaultDataFolder.Resolve();

    /// <summary>ZESPAN_API_KEY: presets the first project's API key on an empty database.</summary>
    public string? PresetApiKey { get; set; }

    /// <summary>ZESPAN_ADMIN_PASSWORD: presets the admin's password on an empty database.</summary>
    public string? PresetAdminPassword { get; set; }

    /// <summary>ZESPAN_PLAN: plan of the first organisation on an empty database (free, solo, pro, team, scale). Default free.</summary>
    public Plan InitialPlan { get; set; } = Plan.Free;

    /// <summary>ZESPAN_MAX_BODY_BYTES: largest accepted ingest body; larger bodies get 413. Default 10 MiB.</summary>
    public long MaxIngestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>ZESPAN_INGEST_QUEUE_SPANS: spans accepted but not yet written before ingestion answers 429. Default 200,000.</summary>
    public int IngestQueueSpans { get; set; } = 200_000;

    /// <summary>
    /// ZESPAN_INGEST_BUDGET_BYTES: ingest body bytes read, queued and not yet committed, over all requests, before ingestion
    /// answers 429. Bounds the server's memory whatever the number of clients. Never less than the body limit. Default 64 MiB.
    /// </summary>
    public long IngestBudgetBytes
    {
        get => Math.Max(_ingestBudgetBytes, MaxIngestBodyBytes);
        set => _ingestBudgetBytes = value;
    }
    private long _ingestBudgetBytes = 64 * 1024 * 1024;

    /// <summary>Most spans the writer commits in one transaction (group commit of many requests).</summary>
    public int MaxSpansPerTransaction { get; set; } = 20_000;

    /// <summary>ZESPAN_CONTROL_DB: PostgreSQL (connection string or postgres:// URL) for the control plane; null: the SQLite file.</summary>
    public string? ControlDatabase { get; set; }

    /// <summary>ZESPAN_STORAGE: the telemetry backend (spans, sessions, traces, costs). Default sqlite.</summary>
    public string TelemetryStorage { get; set; } = "sqlite";

    public string DatabasePath => Path.Combine(DataDirectory, "zespan.db");

    public static ZespanServerOptions FromConfiguration(IConfiguration configuration)
    {
        var options = new ZespanServerOptions();
        if (configuration["ZESPAN_DATA"] is { Length: > 0 } data)
            options.DataDirectory = Path.GetFullPath(data);
        options.PresetApiKey = configuration["ZESPAN_API_KEY"] is { Length: > 0 } key ? key : null;
        options.ControlDatabase = configuration["ZESPAN_CONTROL_DB"] is { Length: > 0 } control ? control : null;
        if (configuration["ZESPAN_STORAGE"] is { Length: > 0 } storage)
            options.TelemetryStorage = storage.Trim();
        options.PresetAdminPassword = configuration["ZESPAN_ADMIN_PASSWORD"] is { Length: > 0 } password ? password : null;
        if (configuration["ZESPAN_PLAN"] is { Length: > 0 } planText)
        {
            if (!PlanRetention.TryParse(planText, out var plan))
                throw new InvalidOperationException($"ZESPAN_PLAN must be one of free, solo, pro, team, scale; it is \"{planText}\".");
            options.InitialPlan = plan;
        }
        options.MaxIngestBodyBytes = PositiveNumber(configuration, "ZESPAN_MAX_BODY_BYTES", options.MaxIngestBodyBytes);
        options.IngestQueueSpans = (int)PositiveNumber(configuration, "ZESPAN_INGEST_QUEUE_SPANS", options.IngestQueueSpans);
        options.IngestBudgetBytes = PositiveNumber(configuration, "ZESPAN_INGEST_BUDGET_BYTES", options._ingestBudgetBytes);
        return options;
    }

    private static long PositiveNumber(IConfiguration configuration, string key, long fallback)
    {
        var text = configuration[key];
        if (string.IsNullOrEmpty(text))
            return fallback;
        if (!long.TryParse(text, out var value) || value <= 0)
            throw new InvalidOperationException($"The setting {key} must be a positive whole number; it is \"{text}\".");
        return value;
    }
}
