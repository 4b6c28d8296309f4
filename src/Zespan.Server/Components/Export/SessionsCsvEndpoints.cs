using System.Text;
using Zespan.Core.Sessions;
using Zespan.Core.Storage;
using Zespan.Server.Api;
using Zespan.Server.Auth;
using Zespan.Server.Components.Formatting;
using Zespan.Server.Components.Navigation;
using Zespan.Server.Sessions;

namespace Zespan.Server.Components.Export;

/// <summary>
/// "Export CSV" of the sessions view: the same query string as the page (filters and sort), every matching session
/// rather than one page, read page by page so a large export never holds the whole list in memory.
/// </summary>
public static class SessionsCsvEndpoints
{
    private const int MaxRows = 100_000;

    // Columns are only ever appended (name and the active-time pair came with issue 18), so a consumer reading
    // columns by position keeps working.
    public static readonly string[] Columns =
        ["sessionId", "userId", "startedAt", "endedAt", "durationMs", "turns", "inputTokens", "outputTokens", "totalTokens", "costUsd", "errorCount", "status", "unpricedCalls",
         "name", "activeDurationMs", "idleGapCount"];

    public static void MapSessionsCsvExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/sessions.csv", (HttpContext context, ISessionReader reader, SessionActivitySync sync, TimeProvider clock) => ExportAsync(context, reader, sync, clock, null))
            .RequireAuthorization(UiAuthentication.Policy).ExcludeFromDescription();
        app.MapGet("/users/{userId}/sessions.csv", (string userId, HttpContext context, ISessionReader reader, SessionActivitySync sync, TimeProvider clock) => ExportAsync(context, reader, sync, clock, userId))
            .RequireAuthorization(UiAuthentication.Policy).ExcludeFromDescription();
    }

    private static async Task<IResult> ExportAsync(HttpContext context, ISessionReader reader, SessionActivitySync sync, TimeProvider clock, string? userId)
    {
        if (!DateRangeQuery.TryNormalize(context.Request.Query, clock.GetUtcNow(), out var apiQuery, out var error)
            || !QueryParameters.TryReadSessionQuery(apiQuery, userId, out var query, out error))
            return ApiProblems.BadParameter(error!);

        var projectId = context.User.ProjectId();
        // Active time and idle gaps follow the project's current threshold, as in the list the export mirrors.
        await sync.EnsureAsync(projectId, context.RequestAborted);
        var fileName = userId is null ? "sessions.csv" : "sessions-" + new string(userId.Where(char.IsAsciiLetterOrDigit).Take(40).ToArray()) + ".csv";
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await writer.WriteAsync(string.Join(',', Columns) + "\r\n");

        // The export starts from the first row of the view whatever page the user was on.
        var pageQuery = query with { Limit = SessionQuery.MaxLimit, After = null };
        var written = 0;
        while (written < MaxRows)
        {
            var page = await reader.ListAsync(projectId, pageQuery, context.RequestAborted);
            foreach (var s in page.Items)
            {
                await writer.WriteAsync(Row(s));
                written++;
            }
            if (page.NextCursor is null || !SessionCursor.TryDecode(page.NextCursor, query.Sort, query.Descending, out var next, out _))
                break;
            pageQuery = pageQuery with { After = next };
        }
        return Results.Empty;
    }

    private static string Row(SessionSummary s)
    {
        string[] cells =
        [
            s.SessionId, s.UserId ?? "", Display.Iso(s.StartedMs), Display.Iso(s.EndedMs), s.DurationMs.ToString(), s.Turns.ToString(),
            s.InputTokens.ToString(), s.OutputTokens.ToString(), s.TotalTokens.ToString(), s.CostUnknown ? "" : Display.UsdExact(s.CostPico),
            s.ErrorCount.ToString(), s.HasErrors ? "error" : "ok", s.UnpricedCalls.ToString(),
            s.Name ?? "", s.ActiveMs.ToString(), s.IdleGaps.ToString(),
        ];
        return string.Join(',', cells.Select(CsvCell.Escape)) + "\r\n";
    }
}
