using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;
using Zespan.Server.Auth;

namespace Zespan.Server.Api;

/// <summary>The traces read API: recent traces and every span of one trace.</summary>
public static class TracesEndpoints
{
    public static void MapTracesEndpoints(this RouteGroupBuilder api)
    {
        var traces = api.MapGroup("/traces").WithTags("Traces");
        traces.MapGet("/", ListAsync).WithName("ListTraces").WithSummary("Recent traces, newest first").Produces<TraceListResponse>();
        traces.MapGet("/{traceId}", GetAsync).WithName("GetTrace").WithSummary("Every span of a trace").Produces<TraceDetailResponse>();
    }

    public static async Task<IResult> ListAsync(HttpContext context, ITraceReader reader)
    {
        if (!TryReadTraceQuery(context.Request.Query, out var query, out var error))
            return ApiProblems.BadParameter(error!);
        var page = await reader.ListAsync(context.User.ProjectId(), query, context.RequestAborted);
        return TypedResults.Ok(new TraceListResponse(page.Items.Select(TraceItem.From).ToList(), page.NextCursor, page.TotalCount));
    }

    public static async Task<IResult> GetAsync(string traceId, HttpContext context, ITraceReader reader)
    {
        var trace = await reader.GetAsync(context.User.ProjectId(), traceId, context.RequestAborted);
        return trace is null
            ? ApiProblems.NotFound("Trace", traceId)
            : TypedResults.Ok(new TraceDetailResponse(trace.TraceId, trace.Spans.Select(SpanItem.From).ToList()));
    }

    public static bool TryReadTraceQuery(IQueryCollection query, out TraceQuery result, out string? error)
    {
        result = new TraceQuery();
        if (!QueryParameters.TryReadRange(query, out var range, out error) || !QueryParameters.TryReadLimit(query, out var limit, out error))
            return false;
        SpanStatus? status = query["status"].ToString() switch
        {
            "" => null,
            "error" => SpanStatus.Error,
            "ok" => SpanStatus.Ok,
            var other => (SpanStatus)(-1),
        };
        if (status == (SpanStatus)(-1))
        {
            error = $"\"status\" must be \"error\" or \"ok\"; got \"{query["status"]}\".";
            return false;
        }
        (long, string)? after = null;
        if (query["cursor"].ToString() is { Length: > 0 } cursor)
        {
            if (!TraceCursor.TryDecode(cursor, out var position))
            {
                error = "The cursor is not one this server issued. Pass the nextCursor of the previous page unchanged.";
                return false;
            }
            after = position;
        }
        result = new TraceQuery
        {
            FromMs = range.FromMs, ToMs = range.ToMs, Limit = limit, After = after, Status = status,
            UserId = NullIfEmpty(query["userId"]), SessionId = NullIfEmpty(query["sessionId"]), Model = NullIfEmpty(query["model"]),
        };
        return true;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
