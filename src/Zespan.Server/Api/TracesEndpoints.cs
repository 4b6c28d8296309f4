using System.ComponentModel;
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
        traces.MapGet("/", ListAsync).WithName("ListTraces").WithSummary("Recent traces, newest first")
            .WithDescription("Traces matching the filters, newest start first (ties by trace id), with the count of all matches.")
            .Returns<TraceListResponse>("The page, nextCursor (null on the last page) and totalCount.").Refuses(400, ApiDocs.BadParameter);
        traces.MapGet("/{traceId}", GetAsync).WithName("GetTrace").WithSummary("Every span of a trace")
            .WithDescription("Every span of the trace in start order, with prompts and completions, enough to draw its flame graph.")
            .Returns<TraceDetailResponse>("The trace's spans.").Refuses(404, ApiDocs.NotFound("trace"));
    }

    public static async Task<IResult> ListAsync([AsParameters] TraceListParameters parameters, HttpContext context, ITraceReader reader)
    {
        if (!parameters.TryRead(out var query, out var error))
            return ApiProblems.BadParameter(error!);
        var page = await reader.ListAsync(context.User.ProjectId(), query, context.RequestAborted);
        return TypedResults.Ok(new TraceListResponse(page.Items.Select(TraceItem.From).ToList(), page.NextCursor, page.TotalCount));
    }

    public static async Task<IResult> GetAsync([Description("The trace's id, percent-encoded as one path segment.")] string traceId, HttpContext context, ITraceReader reader)
    {
        var trace = await reader.GetAsync(context.User.ProjectId(), traceId, context.RequestAborted);
        return trace is null
            ? ApiProblems.NotFound("Trace", traceId)
            : TypedResults.Ok(new TraceDetailResponse(trace.TraceId, trace.Spans.Select(SpanItem.From).ToList()));
    }

    /// <summary>The traces query of a page URL, read by the same record and rules as the API.</summary>
    public static bool TryReadTraceQuery(IQueryCollection query, out TraceQuery result, out string? error) =>
        QueryRecord.Bind<TraceListParameters>(query).TryRead(out result, out error);
}
