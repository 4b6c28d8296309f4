namespace Zespan.Server.Retention;

/// <summary>When the retention worker runs and how much it deletes per transaction.</summary>
public sealed class RetentionSchedule
{
    /// <summary>ZESPAN_RETENTION_INTERVAL_MINUTES: minutes between runs. Default 60 (the issue asks for at least hourly).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Delay after start-up before the first run, so start-up is not slowed by a large clean-up.</summary>
    public TimeSpan FirstRunAfter { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>ZESPAN_RETENTION_BATCH_SPANS: spans deleted per transaction. Default 2,000 (a few milliseconds of write lock).</summary>
    public int BatchSize { get; init; } = 2_000;

    public static RetentionSchedule FromConfiguration(IConfiguration configuration)
    {
        var schedule = new RetentionSchedule();
        var minutes = Positive(configuration, "ZESPAN_RETENTION_INTERVAL_MINUTES");
        // ZESPAN_RETENTION_INTERVAL_SECONDS: the same in seconds, wins over minutes; for demos and the multi-server test.
        var seconds = Positive(configuration, "ZESPAN_RETENTION_INTERVAL_SECONDS");
        TimeSpan? interval = seconds is { } s ? TimeSpan.FromSeconds(s) : minutes is { } m ? TimeSpan.FromMinutes(m) : null;
        var batch = Positive(configuration, "ZESPAN_RETENTION_BATCH_SPANS");
        return new RetentionSchedule
        {
            Interval = interval ?? schedule.Interval,
            FirstRunAfter = interval is { } i ? TimeSpan.FromTicks(Math.Min(i.Ticks, TimeSpan.TicksPerMinute)) : schedule.FirstRunAfter,
            BatchSize = batch is { } b ? (int)Math.Min(b, 1_000_000) : schedule.BatchSize,
        };
    }

    private static long? Positive(IConfiguration configuration, string key)
    {
        var text = configuration[key];
        if (string.IsNullOrEmpty(text))
            return null;
        if (!long.TryParse(text, out var value) || value <= 0)
            throw new InvalidOperationException($"The setting {key} must be a positive whole number; it is \"{text}\".");
        return value;
    }
}
