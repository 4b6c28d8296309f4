using System.Diagnostics;

namespace ZespanSdk.Spans;

/// <summary>
/// Wall-clock start plus a monotonic stopwatch, so end times never run backwards when the system clock is adjusted.
/// </summary>
internal readonly struct SpanTiming
{
    private readonly long _startTicks;

    private SpanTiming(DateTimeOffset startTime, long startTicks)
    {
        StartTime = startTime;
        _startTicks = startTicks;
    }

    public DateTimeOffset StartTime { get; }

    public static SpanTiming Start() => new(DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startTicks);

    public DateTimeOffset Now => StartTime + Elapsed;
}
