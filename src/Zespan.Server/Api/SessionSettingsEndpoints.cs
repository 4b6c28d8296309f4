using Zespan.Core.Sessions;
using Zespan.Core.Storage;
using Zespan.Server.Auth;
using Zespan.Server.Sessions;

namespace Zespan.Server.Api;

/// <summary>A project's session settings: the idle gap threshold that separates active time from idle gaps.</summary>
public static class SessionSettingsEndpoints
{
    public static void MapSessionSettingsEndpoints(this RouteGroupBuilder api)
    {
        var settings = api.MapGroup("/settings/sessions").WithTags("Settings");
        settings.MapGet("/", GetAsync).WithName("GetSessionSettings")
            .WithSummary("The project's session settings")
            .WithDescription("idleGapMs: a gap between a session's calls longer than this is idle; it is left out of activeDurationMs and counted in idleGapCount. 300000 (5 minutes) unless set.")
            .Produces<SessionSettingsResponse>();
        settings.MapPut("/", SetAsync).WithName("SetSessionSettings")
            .WithSummary("Set the project's idle gap threshold")
            .WithDescription("Body {\"idleGapMs\": 600000}, from 1000 (1 second) to 86400000 (24 hours). Every session's activeDurationMs and idleGapCount is recomputed under the new threshold before the response.")
            .Accepts<SessionSettingsRequest>("application/json")
            .Produces<SessionSettingsResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    public static async Task<IResult> GetAsync(HttpContext context, IProjectSessionSettingsStore store)
    {
        var settings = await store.GetAsync(context.User.ProjectId(), context.RequestAborted);
        return TypedResults.Ok(new SessionSettingsResponse(settings.IdleGapMs));
    }

    public static async Task<IResult> SetAsync(SessionSettingsRequest request, HttpContext context, IProjectSessionSettingsStore store, SessionActivitySync sync)
    {
        if (request.IdleGapMs is not { } ms)
            return ApiProblems.BadParameter("Send {\"idleGapMs\": 300000}: the idle gap threshold in milliseconds.");
        if (SessionActivity.Validate(ms) is { } problem)
            return ApiProblems.BadParameter("\"idleGapMs\": " + problem);
        var projectId = context.User.ProjectId();
        await store.SetAsync(projectId, new ProjectSessionSettings(ms), context.RequestAborted);
        await sync.EnsureAsync(projectId, context.RequestAborted);
        return TypedResults.Ok(new SessionSettingsResponse(ms));
    }
}
