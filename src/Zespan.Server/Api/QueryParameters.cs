using Zespan.Core;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;

namespace Zespan.Server.Api;

/// <summary>
/// Reads list parameters from the query string into Core queries, refusing bad values with a message that names the
/// parameter and the accepted values. Shared by the JSON API and the web pages, so both read the same URLs.
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
        if (!TryReadSessionFilter(query, forcedUserId, out var filter, out error))
            return false;

        var sort = SessionSort.StartedAt;
        if (query["sort"].ToString() is { Length: > 0 } sortText && !SessionSorts.TryGetValue(sortText, out sort))
            return Fail($"\"sort\" must be one of {string.Join(", ", SessionSorts.Keys)}; got \"{sortText}\".", out error);
        var descending = true;
        switch (query["order"].ToString())
        {
            case "" or "desc": break;
            case "asc": descending = false; break;
            case var other: return Fail($"\"order\" must be \"asc\" or \"desc\"; got \"{other}\".", out error);
        }
        if (!TryReadLimit(query, out var limit, out error))
            return false;
        SessionCursor? after = null;
        if (query["cursor"].ToString() is { Length: > 0 } cursorText && !SessionCursor.TryDecode(cursorText, sort, descending, out after, out error))
            return false;
        result = new SessionQuery { Filter = filter, Sort = sort, Descending = descending, Limit = limit, After = after };
        return true;
    }

    public static bool TryReadSessionFilter(IQueryCollection query, string? forcedUserId, out SessionFilter filter, out string? error)
    {
        filter = SessionFilter.None;
        if (!TryReadRange(query, out var range, out error))
            return false;
        var status = SessionStatusFilter.Any;
        switch (query["status"].ToString())
        {
            case "": break;
            case "error": status = SessionStatusFilter.Error; break;
            case "ok": status = SessionStatusFilter.Ok; break;
            case var other: return Fail($"\"status\" must be \"error\" or \"ok\"; got \"{other}\".", out error);
        }
        int? minTurns = null;
        if (query["minTurns"].ToString() is { Length: > 0 } minText)
        {
            if (!int.TryParse(minText, out var min) || min < 0)
                return Fail($"\"minTurns\" must be a whole number of 0 or more; got \"{minText}\".", out error);
            minTurns = min;
        }
        int? maxTurns = null;
        if (query["maxTurns"].ToString() is { Length: > 0 } maxText)
        {
            if (!int.TryParse(maxText, out var max) || max < 0)
                return Fail($"\"maxTurns\" must be a whole number of 0 or more; got \"{maxText}\".", out error);
            maxTurns = max;
        }
        if (!TryReadMilliseconds(query, "minActiveMs", out var minActive, out error) || !TryReadMilliseconds(query, "maxActiveMs", out var maxActive, out error))
            return false;
        if (minActive is not null && maxActive is not null && maxActive < minActive)
            return Fail($"\"maxActiveMs\" ({maxActive}) is below \"minActiveMs\" ({minActive}).", out error);
        string? text = query["q"].ToString().Trim() is { Length: > 0 } q ? q : null;
        if (text is { Length: > MaxSearchLength })
            return Fail($"\"q\" is {text.Length} characters long; search with at most {MaxSearchLength}.", out error);
        var user = forcedUserId ?? (query["userId"].ToString() is { Length: > 0 } u ? u : null);
        filter = new SessionFilter
        {
            FromMs = range.FromMs, ToMs = range.ToMs, UserId = user, Status = status, MinTurns = minTurns,
            MaxTurns = maxTurns, MinActiveMs = minActive, MaxActiveMs = maxActive, Query = text,
        };
        return true;
    }

    private static bool TryReadMilliseconds(IQueryCollection query, string name, out long? value, out string? error)
    {
        value = null;
        error = null;
        if (query[name].ToString() is not { Length: > 0 } text)
            return true;
        if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms))
            return Fail($"\"{name}\" must be a whole number of milliseconds, 0 or more (300000 is 5 minutes); got \"{text}\".", out error);
        value = ms;
        return true;
    }

    public static bool TryReadRange(IQueryCollection query, out TimeRange range, out string? error)
    {
        range = TimeRange.All;
        error = null;
        long? from = null, to = null;
        if (query["from"].ToString() is { Length: > 0 } fromText)
        {
            if (!Timestamps.TryParse(fromText, out var ms))
                return Fail($"\"from\" must be an ISO 8601 timestamp with a zone, such as 2026-11-24T00:00:00Z; got \"{fromText}\".", out error);
            from = ms;
        }
        if (query["to"].ToString() is { Length: > 0 } toText)
        {
            if (!Timestamps.TryParse(toText, out var ms))
                return Fail($"\"to\" must be an ISO 8601 timestamp with a zone, such as 2026-11-25T00:00:00Z; got \"{toText}\".", out error);
            to = ms;
        }
        if (from is not null && to is not null && to < from)
            return Fail("\"to\" is before \"from\".", out error);
        range = new TimeRange(from, to);
        return true;
    }

    public static bool TryReadLimit(IQueryCollection query, out int limit, out string? error)
    {
        limit = SessionQuery.DefaultLimit;
        error = null;
        if (query["limit"].ToString() is not { Length: > 0 } text)
            return true;
        if (!int.TryParse(text, out limit) || limit < 1 || limit > SessionQuery.MaxLimit)
            return Fail($"\"limit\" must be between 1 and {SessionQuery.MaxLimit}; got \"{text}\".", out error);
        return true;
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
