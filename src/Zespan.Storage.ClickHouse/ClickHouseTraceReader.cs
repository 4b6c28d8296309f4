using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;

namespace Zespan.Storage.ClickHouse;

/// <summary>Traces computed from each span's newest version at read time; a trace's detail finds its spans by trace id (trace_spans).</summary>
public sealed class ClickHouseTraceReader(ClickHouseHttp http, ClickHouseSql sql) : ITraceReader
{
    public async Task<Page<TraceSummary>> ListAsync(long projectId, TraceQuery query, CancellationToken cancellationToken = default)
    {
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["limit"] = (long)query.Limit + 1 };
        if (query.FromMs is { } from) parameters["from"] = from;
        if (query.ToMs is { } to) parameters["to"] = to;
        if (query.UserId is { } user) parameters["user"] = user;
        if (query.SessionId is { } session) parameters["session"] = session;
        if (query.Model is { } model) parameters["model"] = model;
        if (query.After is { } after)
        {
            parameters["after_started"] = after.StartedMs;
            parameters["after_id"] = after.TraceId;
        }
        var status = query.Status switch { SpanStatus.Ok => 1, SpanStatus.Error => 2, _ => 0 };
        bool f = query.FromMs is not null, t = query.ToMs is not null, u = query.UserId is not null, s = query.SessionId is not null, m = query.Model is not null;
        var items = await http.QueryAsync(sql.TracePage(f, t, u, s, m, status, query.OldestFirst, query.After is not null), parameters,
            r => new TraceSummary(r[0].Text(), r[1].TextIf(r[2]), r[3].Long(), r[4].Long(), (int)r[5].Long(), (int)r[6].Long(),
                JsonCell.Cost(r[7], r[8]), (int)r[9].Long(), r[10].Long(), (int)r[11].Long(), r[12].TextIf(r[13]), r[14].TextIf(r[15])), cancellationToken);
        string? next = null;
        if (items.Count > query.Limit)
        {
            items.RemoveAt(items.Count - 1);
            next = TraceCursor.Encode(items[^1].StartedMs, items[^1].TraceId);
        }
        var count = (await http.QueryAsync(sql.TraceCount(f, t, u, s, m, status), parameters, r => r[0].Long(), cancellationToken))[0];
        return new Page<TraceSummary>(items, next, count);
    }

    public async Task<TraceDetail?> GetAsync(long projectId, string traceId, CancellationToken cancellationToken = default)
    {
        // Three point reads by sort key: the trace's span ids, their sessions, then their rows in those sessions.
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["trace"] = traceId };
        var ids = await http.QueryAsync(sql.SpanIdsOfTrace, parameters, r => r[0].Text(), cancellationToken);
        if (ids.Count == 0)
            return null;
        parameters["ids"] = ids;
        parameters["sessions"] = await http.QueryAsync(sql.SessionsOfSpans, parameters, r => r[0].Text(), cancellationToken);
        var spans = await http.QueryAsync(sql.TraceSpans, parameters, SpanReading.Span, cancellationToken);
        if (spans.Count == 0)
            return null;
        var payloads = await SpanReading.PayloadsAsync(http, sql, projectId, spans.Select(s => s.Id).ToList(),
            spans.Select(s => s.SessionId ?? "").Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
        return new TraceDetail(traceId, spans.Select(s => payloads.TryGetValue(s.Id, out var p)
            ? s with { InputJson = p.Input, OutputJson = p.Output, MetadataJson = p.Metadata }
            : s).ToList());
    }
}
