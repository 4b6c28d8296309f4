using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;
using Zespan.Core;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Traces;

namespace Zespan.Server.Api;

// Typed request records: the API binds them with [AsParameters] (their descriptions are the OpenAPI document's), the pages
// and the CSV export fill them from a query collection with QueryRecord.Bind, and both read them with the same TryRead.
// Values stay strings at the boundary so a refusal can quote what was sent and name the fix (ASP.NET's own conversion
// failures would answer a generic 400).

/// <summary>A start-time window, [from, to).</summary>
public record RangeParameters
{
    [FromQuery(Name = "from"), Description("Start of the window (inclusive): ISO 8601 with a zone, e.g. 2026-11-24T00:00:00Z.")]
    public string? From { get; init; }

    [FromQuery(Name = "to"), Description("End of the window (exclusive): ISO 8601 with a zone, e.g. 2026-11-25T00:00:00Z.")]
    public string? To { get; init; }

    public bool TryReadRange(out TimeRange range, out string? error) => QueryParameters.TryReadRange(From, To, out range, out error);
}

/// <summary>The session filters that apply within one user's sessions too (window, status, turns, active time, search).</summary>
public record SessionConditionParameters : RangeParameters
{
    [FromQuery(Name = "status"), Description("error: sessions with at least one failed call; ok: sessions without any.")]
    public string? Status { get; init; }

    [FromQuery(Name = "minTurns"), Description("Only sessions with at least this many LLM calls (a whole number of 0 or more).")]
    public string? MinTurns { get; init; }

    [FromQuery(Name = "maxTurns"), Description("Only sessions with at most this many LLM calls (a whole number of 0 or more); with minTurns, one bar of the turns histogram.")]
    public string? MaxTurns { get; init; }

    [FromQuery(Name = "minActiveMs"), Description("Only sessions whose active time (the union of their calls' intervals) is at least this many milliseconds; 300000 is 5 minutes.")]
    public string? MinActiveMs { get; init; }

    [FromQuery(Name = "maxActiveMs"), Description("Only sessions whose active time is at most this many milliseconds (inclusive); not below minActiveMs.")]
    public string? MaxActiveMs { get; init; }

    [FromQuery(Name = "q"), Description("Only sessions whose name or id contains this text, case-insensitive; at most 256 characters, surrounding spaces ignored.")]
    public string? Q { get; init; }

    /// <summary>The filter; <paramref name="userId"/> (from the path, or the query's userId) restricts it to one user.</summary>
    public bool TryReadFilter(string? userId, out SessionFilter filter, out string? error)
    {
        filter = SessionFilter.None;
        if (!TryReadRange(out var range, out error))
            return false;
        var status = SessionStatusFilter.Any;
        switch (Status)
        {
            case null or "": break;
            case "error": status = SessionStatusFilter.Error; break;
            case "ok": status = SessionStatusFilter.Ok; break;
            case var other: return QueryParameters.Fail($"\"status\" must be \"error\" or \"ok\"; got \"{other}\".", out error);
        }
        if (!QueryParameters.TryReadTurns("minTurns", MinTurns, out var minTurns, out error)
            || !QueryParameters.TryReadTurns("maxTurns", MaxTurns, out var maxTurns, out error)
            || !QueryParameters.TryReadMilliseconds("minActiveMs", MinActiveMs, out var minActive, out error)
            || !QueryParameters.TryReadMilliseconds("maxActiveMs", MaxActiveMs, out var maxActive, out error))
            return false;
        if (minActive is not null && maxActive is not null && maxActive < minActive)
            return QueryParameters.Fail($"\"maxActiveMs\" ({maxActive}) is below \"minActiveMs\" ({minActive}).", out error);
        string? text = Q?.Trim() is { Length: > 0 } q ? q : null;
        if (text is { Length: > QueryParameters.MaxSearchLength })
            return QueryParameters.Fail($"\"q\" is {text.Length} characters long; search with at most {QueryParameters.MaxSearchLength}.", out error);
        // No id or name holds a NUL (ingestion refuses control characters in ids and makes them spaces in names), and the
        // text index's query syntax ends a quoted phrase at one (a 500 before): refused rather than matched against nothing.
        if (text is not null && text.Contains('\0'))
            return QueryParameters.Fail("\"q\" contains a NUL character (%00); search without it.", out error);
        filter = new SessionFilter
        {
            FromMs = range.FromMs, ToMs = range.ToMs, UserId = userId, Status = status, MinTurns = minTurns,
            MaxTurns = maxTurns, MinActiveMs = minActive, MaxActiveMs = maxActive, Query = text,
        };
        return true;
    }
}

/// <summary>Every session filter (the list, stats, breakdowns and outliers).</summary>
public record SessionFilterParameters : SessionConditionParameters
{
    [FromQuery(Name = "userId"), Description("Only the sessions of this user (exact user id).")]
    public string? UserId { get; init; }

    public bool TryReadFilter(out SessionFilter filter, out string? error) => TryReadFilter(string.IsNullOrEmpty(UserId) ? null : UserId, out filter, out error);
}

/// <summary>How many results, for the endpoints that return a top list.</summary>
public record LimitParameters
{
    [FromQuery(Name = "limit"), Description("How many results, 1 to 500; default 50.")]
    public string? Limit { get; init; }

    public bool TryReadLimit(out int limit, out string? error) => QueryParameters.TryReadLimit(Limit, out limit, out error);
}

/// <summary>Which page of the sessions list, in which order.</summary>
public sealed record SessionPageParameters : LimitParameters
{
    [FromQuery(Name = "sort"), Description("startedAt (default), durationMs, turns, costUsd, totalTokens, errorCount, activeDurationMs or idleGapCount.")]
    public string? Sort { get; init; }

    [FromQuery(Name = "order"), Description("desc (default) or asc.")]
    public string? Order { get; init; }

    [FromQuery(Name = "cursor"), Description("The nextCursor of the previous page, unchanged; it only works with the sort and order it came from.")]
    public string? Cursor { get; init; }

    public bool TryRead(SessionFilter filter, out SessionQuery result, out string? error)
    {
        result = new SessionQuery();
        var sort = SessionSort.StartedAt;
        if (Sort is { Length: > 0 } sortText && !QueryParameters.SessionSorts.TryGetValue(sortText, out sort))
            return QueryParameters.Fail($"\"sort\" must be one of {string.Join(", ", QueryParameters.SessionSorts.Keys)}; got \"{sortText}\".", out error);
        var descending = true;
        switch (Order)
        {
            case null or "" or "desc": break;
            case "asc": descending = false; break;
            case var other: return QueryParameters.Fail($"\"order\" must be \"asc\" or \"desc\"; got \"{other}\".", out error);
        }
        if (!TryReadLimit(out var limit, out error))
            return false;
        SessionCursor? after = null;
        if (Cursor is { Length: > 0 } cursorText && !SessionCursor.TryDecode(cursorText, sort, descending, out after, out error))
            return false;
        result = new SessionQuery { Filter = filter, Sort = sort, Descending = descending, Limit = limit, After = after };
        return true;
    }
}

/// <summary>GET /api/v1/sessions/breakdown: the grouping.</summary>
public sealed record BreakdownParameters
{
    [FromQuery(Name = "by"), Description("userId, tag, or metadata.<key> (for example metadata.feature): what to group the sessions by.")]
    public string? By { get; init; }

    public bool TryRead(out SessionGrouping grouping, out string? error)
    {
        var by = By ?? "";
        SessionGrouping? read = by switch
        {
            "userId" => new SessionGrouping.ByUser(),
            "tag" => new SessionGrouping.ByTag(),
            _ when by.StartsWith("metadata.", StringComparison.Ordinal) && by.Length > "metadata.".Length => new SessionGrouping.ByMetadata(by["metadata.".Length..]),
            _ => null,
        };
        grouping = read!;
        error = read is null ? $"\"by\" must be userId, tag or metadata.<key> (for example metadata.feature); got \"{by}\"." : null;
        return read is not null;
    }
}

/// <summary>GET /api/v1/sessions/outliers: the threshold.</summary>
public sealed record OutlierParameters
{
    [FromQuery(Name = "minRatio"), Description("How many times the median tokens per turn of the filtered sessions a session must reach: a finite number above 1; default 3.")]
    public string? MinRatio { get; init; }

    public bool TryRead(out double minRatio, out string? error)
    {
        minRatio = 3.0;
        error = null;
        if (MinRatio is { Length: > 0 } ratioText
            && (!double.TryParse(ratioText, System.Globalization.CultureInfo.InvariantCulture, out minRatio) || !double.IsFinite(minRatio) || minRatio <= 1))
            return QueryParameters.Fail($"\"minRatio\" must be a number above 1 (how many times the project's median tokens per turn); got \"{ratioText}\".", out error);
        return true;
    }
}

/// <summary>GET /api/v1/traces: filters and page.</summary>
public sealed record TraceListParameters : RangeParameters
{
    [FromQuery(Name = "userId"), Description("Only traces whose user (of their earliest span with one) is this user.")]
    public string? UserId { get; init; }

    [FromQuery(Name = "sessionId"), Description("Only traces whose session (of their earliest span with one) is this session.")]
    public string? SessionId { get; init; }

    [FromQuery(Name = "model"), Description("Only traces with at least one span of this model.")]
    public string? Model { get; init; }

    [FromQuery(Name = "status"), Description("error: traces with at least one failed span; ok: traces without any.")]
    public string? Status { get; init; }

    [FromQuery(Name = "limit"), Description("How many traces, 1 to 500; default 50.")]
    public string? Limit { get; init; }

    [FromQuery(Name = "cursor"), Description("The nextCursor of the previous page, unchanged.")]
    public string? Cursor { get; init; }

    public bool TryRead(out TraceQuery result, out string? error)
    {
        result = new TraceQuery();
        if (!TryReadRange(out var range, out error) || !QueryParameters.TryReadLimit(Limit, out var limit, out error))
            return false;
        SpanStatus? status;
        switch (Status)
        {
            case null or "": status = null; break;
            case "error": status = SpanStatus.Error; break;
            case "ok": status = SpanStatus.Ok; break;
            case var other: return QueryParameters.Fail($"\"status\" must be \"error\" or \"ok\"; got \"{other}\".", out error);
        }
        (long, string)? after = null;
        if (Cursor is { Length: > 0 } cursor)
        {
            if (!TraceCursor.TryDecode(cursor, out var position))
                return QueryParameters.Fail("The cursor is not one this server issued. Pass the nextCursor of the previous page unchanged.", out error);
            after = position;
        }
        result = new TraceQuery
        {
            FromMs = range.FromMs, ToMs = range.ToMs, Limit = limit, After = after, Status = status,
            UserId = NullIfEmpty(UserId), SessionId = NullIfEmpty(SessionId), Model = NullIfEmpty(Model),
        };
        return true;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>GET /api/v1/costs/timeseries: window and bucket size.</summary>
public sealed record TimeseriesParameters : RangeParameters
{
    [FromQuery(Name = "bucket"), Description("hour or day (default): the size of each bucket, aligned to UTC.")]
    public string? Bucket { get; init; }

    public bool TryRead(out TimeRange range, out long bucketMs, out string? error)
    {
        bucketMs = 0;
        if (!TryReadRange(out range, out error))
            return false;
        if (range.FromMs is null || range.ToMs is null || range.ToMs <= range.FromMs)
            return QueryParameters.Fail("Cost over time needs both \"from\" and \"to\", with from before to.", out error);
        bucketMs = Bucket switch
        {
            null or "" or "day" => 86_400_000,
            "hour" => 3_600_000,
            _ => 0,
        };
        if (bucketMs == 0)
            return QueryParameters.Fail($"\"bucket\" must be \"hour\" or \"day\"; got \"{Bucket}\".", out error);
        if ((range.ToMs.Value - range.FromMs.Value) / bucketMs > 10_000)
            return QueryParameters.Fail("That range has more than 10,000 buckets; use bucket=day or a shorter range.", out error);
        return true;
    }
}
