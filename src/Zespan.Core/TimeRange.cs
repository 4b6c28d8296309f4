namespace Zespan.Core;

/// <summary>A half-open time window [From, To) in Unix milliseconds; either end may be open.</summary>
public sealed record TimeRange(long? FromMs, long? ToMs)
{
    public static TimeRange All { get; } = new(null, null);
}
