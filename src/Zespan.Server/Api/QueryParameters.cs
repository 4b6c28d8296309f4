using Zespan.Core;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;

namespace Zespan.Server.Api;

/// <summary>
/// Reads list parameters into Core queries, refusing bad values with a message that names the parameter and the accepted
/// values. The API binds the typed records of ApiParameters.cs; the web pages read the same records from their URL
/// (QueryRecord.Bind) through the methods here, so both read the same URLs with the same rules.
/// </summary>
public static class QueryParameters
{
    public static readonly IReadOnlyDictionary<string, SessionSort> SessionSorts = new Dictionary<string, SessionSort>(StringComparer.OrdinalIgnoreCase)
    {
        ["startedAt"] = SessionSort.StartedAt,
        ["durationMs"] = SessionSort.DurationMs,
        ["turns"] = SessionSort.Turns,
        ["costUsd"] = SessionSort.CostUsd,
        ["totalTokens"] = SessionSort.TotalTokens,
        ["errorCount"] = SessionSort.ErrorCount,
        ["activeDurationMs"] = SessionSort.ActiveDurationMs,
        ["idleGapCount"] = SessionSort.IdleGapCount,
    };

    /// <summary>The longest q= accepted (the longest id is 256 characters).</summary>
    public const int MaxSearchLength = 256;

    public static string SortName(SessionSort sort) => SessionSorts.First(s => s.Value == sort).Key;

    public static bool TryReadSessionQuery(IQueryCollection query, string? forcedUserId, out SessionQuery result, out string? error)
    {
        result = new SessionQuery();
        return TryReadSessionFilter(query, forcedUserId, out var filter, out error)
            && QueryRecord.Bind<SessionPageParameters>(query).TryRead(filter, out result, out error);
    }

    public static bool TryReadSessionFilter(IQueryCollection query, string? forcedUserId, out SessionFilter filter, out string? error)
    {
        var parameters = QueryRecord.Bind<SessionFilterParameters>(query);
        return forcedUserId is null ? parameters.TryReadFilter(out filter, out error) : parameters.TryReadFilter(forcedUserId, out filter, out error);
    }

    public static bool TryReadRange(IQueryCollection query, out TimeRange range, out string? error) =>
        QueryRecord.Bind<RangeParameters>(query).TryReadRange(out range, out error);

    public static bool TryReadRange(string? fromText, string? toText, out TimeRange range, out string? error)
    {
        range = TimeRange.All;
        error = null;
        long? from = null, to = null;
        if (fromText is { Length: > 0 })
        {
            if (!Timestamps.TryParse(fromText, out var ms))
                return Fail($"\"from\" must be an ISO 8601 timestamp with a zone, such as 2026-11-24T00:00:00Z; got \"{fromText}\".", out error);
            from = ms;
        }
        if (toText is { Length: > 0 })
        {
            if (!Timestamps.TryParse(toText, out var ms))
                return Fail($"\"to\" must be an ISO 8601 timestamp with a zone, such as 2026-11-25T00:00:00Z; got \"{toText}\".", out error);
            to = ms;
        }
        if (from is not null && to is not null && to < from)
            return Fail("\"to\" is before \"from\".", out error);
        range = new TimeRange(Clamped(from), Clamped(to));
        return true;
    }

    /// <summary>
    /// The earliest and latest bound a window keeps. No span is stored outside them (ingestion takes no time more than a
    /// day ahead, and a plan keeps at most a year), so no answer changes; but the reads that step from a bound (a 7-day
    /// baseline before it, buckets after it) stay inside what every store can represent: .NET writes years 1 to 9999
    /// (to=0001-01-01 and to=9999-12-31 were 500s on the anomalies and the time series), ClickHouse's DateTime ends in 2106.
    /// </summary>
    public static readonly long EarliestBoundMs = 0, LatestBoundMs = new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static long? Clamped(long? ms) => ms is { } value ? Math.Clamp(value, EarliestBoundMs, LatestBoundMs) : null;

    public static bool TryReadLimit(IQueryCollection query, out int limit, out string? error) =>
        QueryRecord.Bind<LimitParameters>(query).TryReadLimit(out limit, out error);

    /// <summary>A whole number of milliseconds, 0 or more; absent reads as null.</summary>
    public static bool TryReadMilliseconds(string name, string? text, out long? value, out string? error)
    {
        value = null;
        error = null;
        if (text is not { Length: > 0 })
            return true;
        if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms))
            return Fail($"\"{name}\" must be a whole number of milliseconds, 0 or more (300000 is 5 minutes); got \"{text}\".", out error);
        value = ms;
        return true;
    }

    /// <summary>A whole number of turns, 0 or more; absent reads as null.</summary>
    public static bool TryReadTurns(string name, string? text, out int? value, out string? error)
    {
        value = null;
        error = null;
        if (text is not { Length: > 0 })
            return true;
        if (!int.TryParse(text, out var turns) || turns < 0)
            return Fail($"\"{name}\" must be a whole number of 0 or more; got \"{text}\".", out error);
        value = turns;
        return true;
    }

    public static bool TryReadLimit(string? text, out int limit, out string? error)
    {
        limit = SessionQuery.DefaultLimit;
        error = null;
        if (text is not { Length: > 0 })
            return true;
        if (!int.TryParse(text, out limit) || limit < 1 || limit > SessionQuery.MaxLimit)
            return Fail($"\"limit\" must be between 1 and {SessionQuery.MaxLimit}; got \"{text}\".", out error);
        return true;
    }

    /// <summary>Sets the refusal and returns false, so a check reads as one statement.</summary>
    public static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
