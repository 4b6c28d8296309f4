using System.Net.Http.Headers;

namespace ZespanSdk.Export;

/// <summary>The server's Retry-After when it sent one, else exponential backoff with jitter (docs/sdk-spec.md).</summary>
internal static class RetryDelay
{
    /// <summary>A server may ask for a long pause, but never one that outlives a reasonable shutdown (the spec's cap).</summary>
    private static readonly TimeSpan LongestHonouredRetryAfter = TimeSpan.FromSeconds(60);

    /// <param name="attempt">0 for the first retry.</param>
    public static TimeSpan Compute(int attempt, TimeSpan initial, TimeSpan max, TimeSpan? retryAfter)
    {
        double exponential = initial.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        double capped = Math.Min(exponential, max.TotalMilliseconds);
        // "Equal jitter": at least half the backoff, so many clients recovering together spread out
        // without any of them hammering the server immediately.
        double jittered = capped / 2 + Random.Shared.NextDouble() * capped / 2;
        TimeSpan backoff = TimeSpan.FromMilliseconds(jittered);

        if (retryAfter is { } asked)
        {
            return asked < LongestHonouredRetryAfter ? asked : LongestHonouredRetryAfter;
        }
        return backoff;
    }

    /// <summary>Reads Retry-After in either of its forms: delta-seconds or an HTTP date.</summary>
    public static TimeSpan? FromHeader(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header is null)
        {
            return null;
        }
        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (header.Date is { } date)
        {
            TimeSpan untilDate = date - now;
            return untilDate < TimeSpan.Zero ? TimeSpan.Zero : untilDate;
        }
        return null;
    }
}
