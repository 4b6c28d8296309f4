using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;
using Zespan.Core.Sessions.Transcripts;
using Zespan.Core.Storage;
using Zespan.Server.Auth;

namespace Zespan.Server.Api;

/// <summary>A session's conversation (GET /sessions/{id}/transcript) and the side-by-side comparison of 2 to 4 sessions.</summary>
public static class SessionTranscriptEndpoints
{
    public static void MapSessionTranscriptEndpoints(this RouteGroupBuilder sessions)
    {
        sessions.MapGet("/compare", CompareAsync).WithName("CompareSessions")
            .WithSummary("2 to 4 sessions side by side")
            .WithDescription("Cost, tokens by model, turns, duration, latency p50/p95, errors, tool calls, cumulative cost per turn and the transcripts "
                + "of each session, in the order asked. Name the sessions as ids=a,b (comma-separated) or id=a&id=b (repeated, for ids containing a comma).")
            .Produces<SessionCompareResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        sessions.MapGet("/{sessionId}/transcript", TranscriptAsync).WithName("GetSessionTranscript")
            .WithSummary("A session's conversation, each message once")
            .WithDescription("One turn per LLM call in timeline order, holding only the messages that call added (what its input adds to the "
                + "conversation so far, then its output), with tool calls, tool results and the call's model, latency, tokens and cost. "
                + "Content that is not a list of messages is one message with role \"raw\", as stored.")
            .Produces<TranscriptResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    public static async Task<IResult> TranscriptAsync(
        [Description("The session id, as one percent-encoded path segment.")] string sessionId, HttpContext context, ISessionReader reader)
    {
        var detail = await reader.GetAsync(context.User.ProjectId(), sessionId, withPayloads: true, context.RequestAborted);
        if (detail is null)
            return ApiProblems.NotFound("Session", sessionId);
        return TypedResults.Ok(TranscriptResponse.From(detail.Session.SessionId, TranscriptBuilder.Build(detail.Timeline)));
    }

    public static async Task<IResult> CompareAsync(
        HttpContext context, ISessionReader reader, Zespan.Server.Sessions.SessionActivitySync sync,
        [FromQuery(Name = "ids"), Description("Session ids separated by commas (ids=a,b), URL-encoded; 2 to 4 in all with id.")] string[]? ids,
        [FromQuery(Name = "id"), Description("One session id per value, exact (repeat it: id=a&id=b); for ids that contain a comma.")] string[]? id)
    {
        if (!CompareIds.TryRead(ids ?? [], id ?? [], out var wanted, out var error))
            return ApiProblems.BadParameter(error!);
        var (compared, missing) = await LoadAsync(reader, context.User.ProjectId(), wanted, context.RequestAborted);
        if (missing.Count > 0)
            return NotFound(missing);
        var idleGapMs = await sync.EnsureAsync(context.User.ProjectId(), context.RequestAborted);
        return TypedResults.Ok(new SessionCompareResponse(compared.Select(c => ComparedSessionItem.From(c, idleGapMs)).ToList(), compared.Max(c => c.Transcript.Turns.Count)));
    }

    /// <summary>The sessions compared, in the order asked, and the ids the project has no session for.</summary>
    public static async Task<(IReadOnlyList<ComparedSession> Compared, IReadOnlyList<string> Missing)> LoadAsync(
        ISessionReader reader, long projectId, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var compared = new List<ComparedSession>(ids.Count);
        var missing = new List<string>();
        foreach (var id in ids)
        {
            var detail = await reader.GetAsync(projectId, id, withPayloads: true, cancellationToken);
            if (detail is null)
                missing.Add(id);
            else
                compared.Add(SessionComparison.Compare(detail));
        }
        return (compared, missing);
    }

    public static string MissingDetail(IReadOnlyList<string> missing) =>
        $"This project has no session with id {string.Join(", ", missing.Select(m => $"\"{m}\""))}. It may be in another project or removed by retention.";

    private static IResult NotFound(IReadOnlyList<string> missing) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Session not found", detail: MissingDetail(missing));
}
