namespace Zespan.Core.Alerts;

/// <summary>
/// Exponential back-off of webhook deliveries: after failed attempt n the next comes base × 2^(n−1) later, capped at
/// an hour, for at most <see cref="MaxAttempts"/> attempts. With the default 10 s base: 10 s, 20 s, 40 s, 80 s, 160 s,
/// 320 s, 640 s — the last attempt about 21 minutes after the first.
/// </summary>
public sealed record RetrySchedule(long BaseDelayMs, int MaxAttempts = 8)
{
    public const long DefaultBaseDelayMs = 10_000;
    private const long CapMs = 60 * 60 * 1000;

    public static RetrySchedule Default { get; } = new(DefaultBaseDelayMs);

    /// <summary>When to try again after <paramref name="failedAttempt"/> (1-based) failed at <paramref name="nowMs"/>, or null to give up.</summary>
    public long? NextAttemptMs(int failedAttempt, long nowMs)
    {
        if (failedAttempt >= MaxAttempts)
            return null;
        var delay = BaseDelayMs * (1L << Math.Min(failedAttempt - 1, 30));
        return nowMs + Math.Min(delay, CapMs);
    }
}
