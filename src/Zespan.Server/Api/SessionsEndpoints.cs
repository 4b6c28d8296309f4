using System.ComponentModel;
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
        sessions.MapGet("/", ListAsync).WithName("ListSessions").WithSummary("One page of the sessions list")
            .WithDescription("Sessions matching the filters in the chosen order, the cursor of the next page and the count of all matches.")
            .Returns<SessionListResponse>("The page, nextCursor (null on the last page) and totalCount.").Refuses(400, ApiDocs.BadParameter);
        sessions.MapGet("/stats", StatsAsync).WithName("SessionStats").WithSummary("Cost per conversation over the filtered sessions")
            .WithDescription("Count, total, average, median and p95 cost of the filtered sessions; averages and percentiles over the priced sessions.")
            .Returns<SessionStatsResponse>("The statistics; cost figures are null when no session was priced.").Refuses(400, ApiDocs.BadParameter);
        sessions.MapGet("/breakdown", BreakdownAsync).WithName("SessionBreakdown").WithSummary("Sessions and cost per user, tag or metadata value")
            .WithDescription("The filtered sessions grouped by user, tag or a metadata key's value, most expensive group first; sessions without a value form the null group.")
            .Returns<BreakdownResponse>("The groups, at most limit of them.").Refuses(400, ApiDocs.BadParameter);
        sessions.MapGet("/outliers", OutliersAsync).WithName("SessionTokenOutliers").WithSummary("Sessions with far more tokens per turn than usual")
            .WithDescription("Filtered sessions whose tokens per turn reach minRatio times the median of the filtered sessions, highest ratio first.")
            .Returns<IReadOnlyList<TokenOutlierItem>>("The outliers, at most limit of them.").Refuses(400, ApiDocs.BadParameter);
        sessions.MapSessionTranscriptEndpoints();
        sessions.MapGet("/overview", OverviewAsync).WithName("SessionOverview")
            .WithSummary("Sessions per day, cost per session per day and turns per session, for the list's filters")
            .WithDescription("Takes the list's filters (from, to, userId, status, minTurns, maxTurns, minActiveMs, maxActiveMs, q). "
                + "days: [{day, sessions, pricedSessions, medianCostUsd, p95CostUsd}] per UTC day of the session start, cost over priced sessions only (null when the day has none); "
                + "turns: [{minTurns, maxTurns, sessions}] in the buckets 1, 2, 3-4, 5-8, 9-16, 17-32, 33-64, 65+ (maxTurns null).")
            .Returns<SessionOverviewResponse>("The per-day series and the turns histogram of the filtered sessions.").Refuses(400, ApiDocs.BadParameter);
        sessions.MapGet("/{sessionId}", GetAsync).WithName("GetSession").WithSummary("A session's metrics and chronological timeline")
            .WithDescription("The session's figures (with active time and idle gaps) and its LLM calls in start order (without prompts and completions: read those from its traces).")
            .Returns<SessionDetailResponse>("The session, its timeline and its idle gaps.").Refuses(404, ApiDocs.NotFound("session"));
        api.MapGet("/users/{userId}/sessions", ListForUserAsync).WithTags("Sessions").WithName("ListUserSessions")
            .WithSummary("One page of a user's sessions")
            .WithDescription("The sessions list restricted to one user; a user without sessions gets an empty page.")
            .Returns<SessionListResponse>("The page, nextCursor (null on the last page) and totalCount.").Refuses(400, ApiDocs.BadParameter);
    }

    public static async Task<IResult> ListAsync(
        [AsParameters] SessionFilterParameters filter, [AsParameters] SessionPageParameters page, HttpContext context, ISessionReader reader, SessionActivitySync sync) =>
        filter.TryReadFilter(out var read, out var error) ? await ListCoreAsync(read, page, context, reader, sync) : ApiProblems.BadParameter(error!);

    public static async Task<IResult> ListForUserAsync(
        [Description("The user's id, percent-encoded as one path segment.")] string userId,
        [AsParameters] SessionConditionParameters filter, [AsParameters] SessionPageParameters page, HttpContext context, ISessionReader reader, SessionActivitySync sync) =>
        filter.TryReadFilter(userId, out var read, out var error) ? await ListCoreAsync(read, page, context, reader, sync) : ApiProblems.BadParameter(error!);

    private static async Task<IResult> ListCoreAsync(SessionFilter filter, SessionPageParameters parameters, HttpContext context, ISessionReader reader, SessionActivitySync sync)
    {
        if (!parameters.TryRead(filter, out var query, out var error))
            return ApiProblems.BadParameter(error!);
        await sync.EnsureAsync(context.User.ProjectId(), context.RequestAborted);
        var page = await reader.ListAsync(context.User.ProjectId(), query, context.RequestAborted);
        return TypedResults.Ok(new SessionListResponse(page.Items.Select(SessionItem.From).ToList(), page.NextCursor, page.TotalCount));
    }

    public static async Task<IResult> GetAsync(
        [Description("The session's id, percent-encoded as one path segment.")] string sessionId, HttpContext context, ISessionReader reader, SessionActivitySync sync)
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

    public static async Task<IResult> OverviewAsync([AsParameters] SessionFilterParameters parameters, HttpContext context, ISessionOverviewReader reader, SessionActivitySync sync)
    {
        if (!parameters.TryReadFilter(out var filter, out var error))
            return ApiProblems.BadParameter(error!);
        await sync.EnsureAsync(context.User.ProjectId(), context.RequestAborted);
        var overview = await reader.OverviewAsync(context.User.ProjectId(), filter, context.RequestAborted);
        return TypedResults.Ok(SessionOverviewResponse.From(overview));
    }

    public static async Task<IResult> StatsAsync([AsParameters] SessionFilterParameters parameters, HttpContext context, ISessionReader reader)
    {
        if (!parameters.TryReadFilter(out var filter, out var error))
            return ApiProblems.BadParameter(error!);
        var stats = await reader.StatsAsync(context.User.ProjectId(), filter, context.RequestAborted);
        return TypedResults.Ok(SessionStatsResponse.From(stats));
    }

    public static async Task<IResult> BreakdownAsync(
        [AsParameters] BreakdownParameters by, [AsParameters] SessionFilterParameters parameters, [AsParameters] LimitParameters top, HttpContext context, ISessionReader reader)
    {
        if (!by.TryRead(out var grouping, out var error) || !parameters.TryReadFilter(out var filter, out error) || !top.TryReadLimit(out var limit, out error))
            return ApiProblems.BadParameter(error!);
        var groups = await reader.BreakdownAsync(context.User.ProjectId(), grouping, filter, limit, context.RequestAborted);
        return TypedResults.Ok(new BreakdownResponse(by.By!, groups.Select(BreakdownItem.From).ToList()));
    }

    public static async Task<IResult> OutliersAsync(
        [AsParameters] SessionFilterParameters parameters, [AsParameters] LimitParameters top, [AsParameters] OutlierParameters threshold, HttpContext context, ISessionReader reader)
    {
        if (!parameters.TryReadFilter(out var filter, out var error) || !top.TryReadLimit(out var limit, out error) || !threshold.TryRead(out var minRatio, out error))
            return ApiProblems.BadParameter(error!);
        var outliers = await reader.TokenOutliersAsync(context.User.ProjectId(), filter, minRatio, limit, context.RequestAborted);
        return TypedResults.Ok(outliers.Select(o => new TokenOutlierItem(SessionItem.From(o.Session), o.TokensPerTurn, o.ProjectMedianTokensPerTurn, o.Ratio)).ToList());
    }
}
