using Zespan.Core.Sessions;
using Zespan.Core.Storage;
using Zespan.Server.Auth;
using Zespan.Server.Sessions;

namespace Zespan.Server.Api;

/// <summary>The sessions read API: list, detail, cost statistics, breakdowns and token outliers, plus a user's sessions.</summary>
public static class SessionsEndpoints
{
    public static void MapSessionsEndpoints(this RouteGroupBuilder api)
    {
        var sessions = api.MapGroup("/sessions").WithTags("Sessions");
        sessions.MapGet("/", ListAsync).WithName("ListSessions").WithSummary("One page of the sessions list").Produces<SessionListResponse>();
        sessions.MapGet("/stats", StatsAsync).WithName("SessionStats").WithSummary("Cost per conversation over the filtered sessions").Produces<SessionStatsResponse>();
        sessions.MapGet("/breakdown", BreakdownAsync).WithName("SessionBreakdown").WithSummary("Sessions and cost per user, tag or metadata value").Produces<BreakdownResponse>();
        sessions.MapGet("/outliers", OutliersAsync).WithName("SessionTokenOutliers").WithSummary("Sessions with far more tokens per turn than usual").Produces<IReadOnlyList<TokenOutlierItem>>();
        sessions.MapSessionTranscriptEndpoints();
        sessions.MapGet("/overview", OverviewAsync).WithName("SessionOverview")
            .WithSummary("Sessions per day, cost per session per day and turns per session, for the list's filters")
            .WithDescription("Takes the list's filters (from, to, userId, status, minTurns, maxTurns, minActiveMs, maxActiveMs, q). "
                + "days: [{day, sessions, pricedSessions, medianCostUsd, p95CostUsd}] per UTC day of the session start, cost over priced sessions only (null when the day has none); "
                + "turns: [{minTurns, maxTurns, sessions}] in the buckets 1, 2, 3-4, 5-8, 9-16, 17-32, 33-64, 65+ (maxTurns null).")
            .Produces<SessionOverviewResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        sessions.MapGet("/{sessionId}", GetAsync).WithName("GetSession").WithSummary("A session's metrics and chronological timeline").Produces<SessionDetailResponse>();
        api.MapGet("/users/{userId}/sessions", ListForUserAsync).WithTags("Sessions").WithName("ListUserSessions")
            .WithSummary("One page of a user's sessions").Produces<SessionListResponse>();
    }

    public static Task<IResult> ListAsync(HttpContext context, ISessionReader reader, SessionActivitySync sync) => ListCoreAsync(context, reader, sync, null);

    public static Task<IResult> ListForUserAsync(string userId, HttpContext context, ISessionReader reader, SessionActivitySync sync) => ListCoreAsync(context, reader, sync, userId);

    private static async Task<IResult> ListCoreAsync(HttpContext context, ISessionReader reader, SessionActivitySync sync, string? userId)
    {
        if (!QueryParameters.TryReadSessionQuery(context.Request.Query, userId, out var query, out var error))
            return ApiProblems.BadParameter(error!);
        await sync.EnsureAsync(context.User.ProjectId(), context.RequestAborted);
        var page = await reader.ListAsync(context.User.ProjectId(), query, context.RequestAborted);
        return TypedResults.Ok(new SessionListResponse(page.Items.Select(SessionItem.From).ToList(), page.NextCursor, page.TotalCount));
    }

    public static async Task<IResult> GetAsync(string sessionId, HttpContext context, ISessionReader reader, SessionActivitySync sync)
    {
        var idleGapMs = await sync.EnsureAsync(context.User.ProjectId(), context.RequestAborted);
        // The API's timeline carries no prompts or completions (those are on GET /traces/{id}), so they are not read.
        var detail = await reader.GetAsync(context.User.ProjectId(), sessionId, withPayloads: false, context.RequestAborted);
        if (detail is null)
            return ApiProblems.NotFound("Session", sessionId);
        var gaps = SessionActivity.Gaps(detail.Timeline.Select(t => (t.StartMs, t.EndMs)), idleGapMs);
        return TypedResults.Ok(new SessionDetailResponse(
            SessionDetailItem.From(detail, idleGapMs), detail.Timeline.Select(TimelineItem.From).ToList(), gaps.Select(IdleGapItem.Of).ToList()));
    }

    public static async Task<IResult> OverviewAsync(HttpContext context, ISessionOverviewReader reader, SessionActivitySync sync)
    {
        if (!QueryParameters.TryReadSessionFilter(context.Request.Query, null, out var filter, out var error))
            return ApiProblems.BadParameter(error!);
        await sync.EnsureAsync(context.User.ProjectId(), context.RequestAborted);
        var overview = await reader.OverviewAsync(context.User.ProjectId(), filter, context.RequestAborted);
        return TypedResults.Ok(SessionOverviewResponse.From(overview));
    }

    public static async Task<IResult> StatsAsync(HttpContext context, ISessionReader reader)
    {
        if (!QueryParameters.TryReadSessionFilter(context.Request.Query, null, out var filter, out var error))
            return ApiProblems.BadParameter(error!);
        var stats = await reader.StatsAsync(context.User.ProjectId(), filter, context.RequestAborted);
        return TypedResults.Ok(SessionStatsResponse.From(stats));
    }

    public static async Task<IResult> BreakdownAsync(HttpContext context, ISessionReader reader)
    {
        var by = context.Request.Query["by"].ToString();
        SessionGrouping? grouping = by switch
        {
            "userId" => new SessionGrouping.ByUser(),
            "tag" => new SessionGrouping.ByTag(),
            _ when by.StartsWith("metadata.", StringComparison.Ordinal) && by.Length > "metadata.".Length => new SessionGrouping.ByMetadata(by["metadata.".Length..]),
            _ => null,
        };
        if (grouping is null)
            return ApiProblems.BadParameter($"\"by\" must be userId, tag or metadata.<key> (for example metadata.feature); got \"{by}\".");
        if (!QueryParameters.TryReadSessionFilter(context.Request.Query, null, out var filter, out var error)
            || !QueryParameters.TryReadLimit(context.Request.Query, out var limit, out error))
            return ApiProblems.BadParameter(error!);
        var groups = await reader.BreakdownAsync(context.User.ProjectId(), grouping, filter, limit, context.RequestAborted);
        return TypedResults.Ok(new BreakdownResponse(by, groups.Select(BreakdownItem.From).ToList()));
    }

    public static async Task<IResult> OutliersAsync(HttpContext context, ISessionReader reader)
    {
        if (!QueryParameters.TryReadSessionFilter(context.Request.Query, null, out var filter, out var error)
            || !QueryParameters.TryReadLimit(context.Request.Query, out var limit, out error))
            return ApiProblems.BadParameter(error!);
        var minRatio = 3.0;
        if (context.Request.Query["minRatio"].ToString() is { Length: > 0 } ratioText
            && (!double.TryParse(ratioText, System.Globalization.CultureInfo.InvariantCulture, out minRatio) || !double.IsFinite(minRatio) || minRatio <= 1))
            return ApiProblems.BadParameter($"\"minRatio\" must be a number above 1 (how many times the project's median tokens per turn); got \"{ratioText}\".");
        var outliers = await reader.TokenOutliersAsync(context.User.ProjectId(), filter, minRatio, limit, context.RequestAborted);
        return TypedResults.Ok(outliers.Select(o => new TokenOutlierItem(SessionItem.From(o.Session), o.TokensPerTurn, o.ProjectMedianTokensPerTurn, o.Ratio)).ToList());
    }
}
