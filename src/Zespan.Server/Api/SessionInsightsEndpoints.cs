using System.ComponentModel;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Anomalies;
using Zespan.Core.Sessions.Trends;
using Zespan.Core.Storage;
using Zespan.Server.Auth;

namespace Zespan.Server.Api;

/// <summary>Session-grain insight: anomalous sessions with their reason, and trends of sessions, cost, turns and errors.</summary>
public static class SessionInsightsEndpoints
{
    public const int MaxBuckets = 5_000;
    public const int MaxKinds = 50;
    public const int DefaultKinds = 10;
    public const int MaxWindowDays = 90;

    private const string FromText = "Sessions that started at or after this time (ISO 8601 with a zone, e.g. 2026-11-24T00:00:00Z).";
    private const string ToText = "Sessions that started before this time (ISO 8601 with a zone).";
    private const string UserText = "Only the sessions of this user id.";
    private const string StatusText = "\"error\": sessions with at least one failed call; \"ok\": sessions without.";
    private const string MinTurnsText = "Only sessions with at least this many turns (LLM calls).";

    public static void MapSessionInsightsEndpoints(this RouteGroupBuilder api)
    {
        var sessions = api.MapGroup("/sessions").WithTags("Sessions");
        sessions.MapGet("/anomalies", AnomaliesAsync).WithName("SessionAnomalies")
            .WithSummary("Sessions far above the usual of their kind of conversation, with the reason")
            .WithDescription("Judges the filtered sessions (by default those of the baseline window) against a baseline per kind of "
                + "conversation over the trailing window ending at \"to\" (or now): cost per session (priced sessions only), turns and tokens "
                + "per turn. A figure is anomalous when the kind has at least 20 sessions, the figure is at least 3× the median and "
                + "(x − median) / (1.4826 × MAD) ≥ 3.5. See docs/api.md.")
            .Produces<AnomalyListResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        sessions.MapGet("/timeseries", TimeseriesAsync).WithName("SessionTimeseries")
            .WithSummary("Sessions started, cost per session, turns and error share per hour, day or week")
            .WithDescription("Per bucket of session start time (UTC) and per kind of conversation: sessions started, cost (sum, mean, "
                + "median and p95 per priced session), turns (sum, mean, p95), sessions with errors and their share, and unpriced sessions. "
                + "From the same session figures as the sessions list; percentiles as in /sessions/stats.")
            .Produces<SessionTimeseriesResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    public static async Task<IResult> AnomaliesAsync(
        HttpContext context, IAnomalyDetector detector,
        [Description(FromText + " Default: the start of the baseline window.")] string? from = null,
        [Description(ToText + " Also the end of the baseline window. Default: now.")] string? to = null,
        [Description(UserText)] string? userId = null,
        [Description(StatusText)] string? status = null,
        [Description(MinTurnsText)] string? minTurns = null,
        [Description(SessionKindParameter.Description)] string? by = null,
        [Description("Length of the trailing baseline window in days, 1 to 90. Default 7.")] string? windowDays = null,
        [Description("How many anomalies to return, 1 to 500. Default 50.")] string? limit = null)
    {
        var query = context.Request.Query;
        if (!QueryParameters.TryReadSessionFilter(query, null, out var filter, out var error)
            || !SessionKindParameter.TryRead(query, out var grouping, out error)
            || !QueryParameters.TryReadLimit(query, out var max, out error)
            || !TryReadWindow(query, out var window, out error))
            return ApiProblems.BadParameter(error!);
        var report = await detector.FindAsync(context.User.ProjectId(),
            new AnomalyQuery { Filter = filter, By = grouping, Window = window, Limit = max }, context.RequestAborted);
        return TypedResults.Ok(AnomalyListResponse.From(report));
    }

    public static async Task<IResult> TimeseriesAsync(
        HttpContext context, ISessionKindReader reader, TimeProvider clock,
        [Description(FromText + " Floored to the bucket. Default: 30 days before \"to\".")] string? from = null,
        [Description(ToText + " Ceiled to the bucket. Default: now.")] string? to = null,
        [Description("Bucket width: hour, day (default) or week (Monday to Sunday). Buckets are UTC; at most 5,000 per answer.")] string? bucket = null,
        [Description(SessionKindParameter.Description)] string? by = null,
        [Description(UserText)] string? userId = null,
        [Description(StatusText)] string? status = null,
        [Description(MinTurnsText)] string? minTurns = null,
        [Description("With \"by\": how many kinds to return (those with the most sessions), 1 to 50. Default 10.")] string? limit = null)
    {
        var query = context.Request.Query;
        if (!QueryParameters.TryReadSessionFilter(query, null, out var filter, out var error)
            || !SessionKindParameter.TryRead(query, out var grouping, out error))
            return ApiProblems.BadParameter(error!);
        BucketSize size;
        switch (query["bucket"].ToString())
        {
            case "" or "day": size = BucketSize.Day; break;
            case "hour": size = BucketSize.Hour; break;
            case "week": size = BucketSize.Week; break;
            case var other: return ApiProblems.BadParameter($"\"bucket\" must be hour, day or week; got \"{other}\".");
        }
        var kinds = DefaultKinds;
        if (query["limit"].ToString() is { Length: > 0 } limitText && (!int.TryParse(limitText, out kinds) || kinds < 1 || kinds > MaxKinds))
            return ApiProblems.BadParameter($"\"limit\" (kinds of conversation) must be between 1 and {MaxKinds}; got \"{limitText}\".");
        var end = filter.ToMs ?? clock.GetUtcNow().ToUnixTimeMilliseconds();
        var start = filter.FromMs ?? end - 30 * TimeBuckets.DayMs;
        if (end <= start)
            return ApiProblems.BadParameter("\"to\" must be after \"from\".");
        if (TimeBuckets.CountCovering(size, start, end) > MaxBuckets)
            return ApiProblems.BadParameter($"That range needs more than {MaxBuckets:N0} {size.ToString().ToLowerInvariant()} buckets; use a wider bucket or a shorter range.");
        var buckets = TimeBuckets.Covering(size, start, end);
        var series = await reader.TimeseriesAsync(context.User.ProjectId(), filter with { FromMs = buckets.FromMs, ToMs = buckets.ToMs },
            grouping, buckets, grouping is null ? 1 : kinds, context.RequestAborted);
        return TypedResults.Ok(SessionTimeseriesResponse.Of(series));
    }

    private static bool TryReadWindow(IQueryCollection query, out TimeSpan window, out string? error)
    {
        window = AnomalyQuery.DefaultWindow;
        error = null;
        if (query["windowDays"].ToString() is not { Length: > 0 } text)
            return true;
        if (!int.TryParse(text, out var days) || days < 1 || days > MaxWindowDays)
        {
            error = $"\"windowDays\" must be a whole number of days from 1 to {MaxWindowDays}; got \"{text}\".";
            return false;
        }
        window = TimeSpan.FromDays(days);
        return true;
    }
}
