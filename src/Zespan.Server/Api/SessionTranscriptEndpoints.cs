using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;
using Zespan.Core.Sessions.Transcripts;
using Zespan.Core.Storage;
using Zespan.Server.Auth;
using Zespan.Server.Sessions;

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
            .Returns<SessionCompareResponse>("The sessions in the order asked, each with its figures and transcript, and the longest transcript's turn count.")
            .Refuses(400, "Fewer than 2 or more than 4 ids, an empty id or one named twice: the problem's detail says which.")
            .Refuses(404, "At least one id has no session in this project; the problem's detail names every missing id.");
        sessions.MapGet("/{sessionId}/transcript", TranscriptAsync).WithName("GetSessionTranscript")
            .WithSummary("A session's conversation, each message once")
            .WithDescription("One turn per LLM call in timeline order, holding only the messages that call added (what its input adds to the "
                + "conversation so far, then its output), with tool calls, tool results and the call's model, latency, tokens and cost. "
                + "Content that is not a list of messages is one message with role \"raw\", as stored.")
            .Returns<TranscriptResponse>("The session id and its turns in timeline order.")
            .Refuses(404, ApiDocs.NotFound("session"));
    }

    public static async Task<IResult> TranscriptAsync(
        [Description("The session id, as one percent-encoded path segment.")] string sessionId, HttpContext context, ISessionReader reader,
        Zespan.Server.Sessions.SessionActivitySync sync)
    {
        var idleGapMs = await sync.EnsureAsync(context.User.ProjectId(), context.RequestAborted);
        var detail = await reader.GetAsync(context.User.ProjectId(), sessionId, withPayloads: true, context.RequestAborted);
        if (detail is null)
            return ApiProblems.NotFound("Session", sessionId);
        return TypedResults.Ok(TranscriptResponse.From(detail.Session.SessionId, TranscriptBuilder.Build(detail.Timeline, idleGapMs)));
    }

    public static async Task<IResult> CompareAsync(
        HttpContext context, ISessionReader reader, Zespan.Server.Sessions.SessionActivitySync sync,
        [FromQuery(Name = "ids"), Description("Session ids separated by commas (ids=a,b), URL-encoded; 2 to 4 in all with id.")] string[]? ids,
        [FromQuery(Name = "id"), Description("One session id per value, exact (repeat it: id=a&id=b); for ids that contain a comma.")] string[]? id)
    {
        if (!CompareIds.TryRead(ids ?? [], id ?? [], out var wanted, out var error))
            return ApiProblems.BadParameter(error!);
        var idleGapMs = await sync.EnsureAsync(context.User.ProjectId(), context.RequestAborted);
        var (compared, missing) = await LoadAsync(reader, context.User.ProjectId(), wanted, idleGapMs, context.RequestAborted);
        if (missing.Count > 0)
            return NotFound(missing);
        return TypedResults.Ok(new SessionCompareResponse(compared.Select(c => ComparedSessionItem.From(c, idleGapMs)).ToList(), compared.Max(c => c.Transcript.Turns.Count)));
    }

    /// <summary>The sessions compared, in the order asked, and the ids the project has no session for.</summary>
    public static async Task<(IReadOnlyList<ComparedSession> Compared, IReadOnlyList<string> Missing)> LoadAsync(
        ISessionReader reader, long projectId, IReadOnlyList<string> ids, long idleGapMs, CancellationToken cancellationToken)
    {
        var compared = new List<ComparedSession>(ids.Count);
        var missing = new List<string>();
        foreach (var id in ids)
        {
            var detail = await reader.GetAsync(projectId, id, withPayloads: true, cancellationToken);
            if (detail is null)
                missing.Add(id);
            else
                compared.Add(SessionComparison.Compare(detail, idleGapMs));
        }
        return (compared, missing);
    }

    /// <summary>
    /// The compare page's sessions: the figures over each whole session, the transcripts only for the page of aligned
    /// turns holding <paramref name="turn"/> (see <see cref="TranscriptPages"/>); FirstTurn is that page's first turn (0-based).
    /// </summary>
    public static async Task<(IReadOnlyList<ComparedSession> Compared, IReadOnlyList<string> Missing, int FirstTurn)> LoadPageAsync(
        ISessionReader reader, long projectId, IReadOnlyList<string> ids, long idleGapMs, string? turn, CancellationToken cancellationToken)
    {
        var details = new List<Zespan.Core.Sessions.SessionDetail>(ids.Count);
        var missing = new List<string>();
        foreach (var id in ids)
        {
            var detail = await reader.GetAsync(projectId, id, withPayloads: false, cancellationToken);
            if (detail is null)
                missing.Add(id);
            else
                details.Add(detail);
        }
        if (missing.Count > 0)
            return ([], missing, 0);
        var firstTurn = TranscriptPages.PageStart(turn, details.Max(d => d.Timeline.Count));
        var compared = new List<ComparedSession>(details.Count);
        foreach (var detail in details)
        {
            var loaded = await TranscriptPages.LoadAsync(reader, projectId, detail, firstTurn, firstTurn + TranscriptPages.TurnsPerPage, allCompletions: true, cancellationToken);
            compared.Add(SessionComparison.Compare(loaded, idleGapMs, firstTurn, TranscriptPages.TurnsPerPage));
        }
        return (compared, missing, firstTurn);
    }

    public static string MissingDetail(IReadOnlyList<string> missing) =>
        $"This project has no session with id {string.Join(", ", missing.Select(m => $"\"{m}\""))}. It may be in another project or removed by retention.";

    private static IResult NotFound(IReadOnlyList<string> missing) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Session not found", detail: MissingDetail(missing));
}
