using System.Text.Json;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;

namespace Zespan.Storage.ClickHouse;

/// <summary>Turns result rows of <see cref="ClickHouseSql"/> into Core records, and fetches payloads for a set of spans.</summary>
internal static class SpanReading
{
    /// <summary>A row of <see cref="ClickHouseSql.SessionColumns"/> from column <paramref name="at"/>.</summary>
    public static SessionSummary Session(JsonElement[] r, int at = 0) => new(
        r[at].Text(), r[at + 1].TextIf(r[at + 2]), r[at + 3].Long(), r[at + 4].Long(), (int)r[at + 5].Long(), JsonCell.Cost(r[at + 6], r[at + 7]),
        (int)r[at + 8].Long(), r[at + 9].Long(), r[at + 10].Long(), (int)r[at + 11].Long(), r[at + 12].Long())
    {
        IdleMs = r[at + 13].Long(),
        IdleGaps = (int)r[at + 14].Long(),
        Name = r[at + 16].TextIf(r[at + 15]),
    };

    /// <summary>How many columns <see cref="Session"/> reads.</summary>
    public const int SessionColumnCount = 17;

    /// <summary>A row of <see cref="ClickHouseSql.SpanColumns"/>, without payloads.</summary>
    public static SpanRecord Span(JsonElement[] r)
    {
        var keys = r[27].Strings();
        var values = r[28].Strings();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < keys.Count && i < values.Count; i++)
            metadata[keys[i]] = values[i];
        return new SpanRecord
        {
            Id = r[0].Text(),
            TraceId = r[1].Text(),
            ParentId = r[3].TextIf(r[2]),
            SessionId = r[4].TextIf(r[5]),
            UserId = r[6].TextIf(r[7]),
            Name = r[8].Text(),
            Kind = (SpanKind)r[9].Long(),
            Model = r[10].TextIf(r[11]),
            Provider = r[12].TextIf(r[13]),
            StartMs = r[14].Long(),
            EndMs = r[15].Long(),
            Usage = new TokenUsage(r[16].Long(), r[17].Long(), r[18].Long(), r[19].Long(), r[30].Long()),
            CostPico = r[21].Flag() ? r[20].Long() : null,
            CostSource = (CostSource)r[22].Long(),
            Status = (SpanStatus)r[23].Long(),
            Error = r[24].TextIf(r[25]),
            Tags = r[26].Strings(),
            MetadataValues = metadata,
            UsageReported = r[29].Flag(),
        };
    }

    /// <summary>How many columns <see cref="Timeline"/> reads.</summary>
    public const int TimelineColumnCount = 18;

    /// <summary>A row of <see cref="ClickHouseSql.TimelineColumns"/>, without payloads.</summary>
    public static TimelineEntry Timeline(JsonElement[] r) => new(
        r[0].Text(), r[1].Text(), r[2].Text(), r[3].TextIf(r[4]), r[5].Long(), r[6].Long(),
        new TokenUsage(r[7].Long(), r[8].Long(), r[9].Long(), r[10].Long(), r[17].Long()), r[12].Flag() ? r[11].Long() : null,
        (SpanStatus)r[13].Long(), r[14].TextIf(r[15]), InputJson: null, OutputJson: null, UsageReported: r[16].Flag());

    /// <summary>The ids of the session's spans that a re-send moved into or out of it (<see cref="ClickHouseSql.MovedSpanIdsOfSessions"/>).</summary>
    public static Task<List<string>> MovedSpanIdsAsync(ClickHouseHttp http, ClickHouseSql sql, long projectId, string sessionId, CancellationToken cancellationToken) =>
        http.QueryAsync(sql.MovedSpanIdsOfSessions, new Dictionary<string, object?> { ["project"] = projectId, ["sessions"] = new[] { sessionId } }, r => r[1].Text(),
            cancellationToken);

    public sealed record Payload(string? Input, string? Output, string? Metadata)
    {
        /// <summary>Whether the span lacks an input or an output of its own, which content sent separately may give.</summary>
        public bool LacksAny => Input is null || Output is null;

        /// <summary>A span's own payloads, each missing one taken from content sent separately (null when none was sent).</summary>
        public static Payload Of(Payload own, string? contentInput, string? contentOutput) =>
            own with { Input = own.Input ?? contentInput, Output = own.Output ?? contentOutput };
    }

    /// <summary>
    /// Each span's newest payloads: its own input/output where it has them, else content sent separately. The spans are
    /// looked up under <paramref name="sessionIds"/> (their sessions, '' for none): a span current in none of them gets
    /// only content sent separately. Those sessions' moved spans among them are read first (<see cref="ClickHouseSql.MovedSpanIdsAmong"/>).
    /// </summary>
    public static async Task<Dictionary<string, Payload>> PayloadsAsync(ClickHouseHttp http, ClickHouseSql sql, long projectId,
        IReadOnlyCollection<string> spanIds, IReadOnlyCollection<string> sessionIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, Payload>(StringComparer.Ordinal);
        if (spanIds.Count == 0)
            return result;
        var movedSpanIds = await http.QueryAsync(sql.MovedSpanIdsAmong, new Dictionary<string, object?> { ["project"] = projectId, ["sessions"] = sessionIds, ["ids"] = spanIds },
            r => r[0].Text(), cancellationToken);
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["ids"] = spanIds, ["sessions"] = sessionIds, ["moved_span_ids"] = movedSpanIds };
        // Without a content row, ANY LEFT JOIN leaves defaults (0, ''), so the flags decide.
        var rows = await http.QueryAsync(sql.Payloads, parameters,
            r => (Id: r[0].Text(), Payload: Payload.Of(OwnPayload(r, 1), r[7].Flag() ? r[8].Text() : null, r[9].Flag() ? r[10].Text() : null)), cancellationToken);
        foreach (var (id, payload) in rows)
            result[id] = payload;
        return result;
    }

    /// <summary>A span's own payloads: the <see cref="ClickHouseSql.PayloadColumns"/> from column <paramref name="at"/>.</summary>
    public static Payload OwnPayload(JsonElement[] r, int at) =>
        new(r[at].Flag() ? r[at + 1].Text() : null, r[at + 2].Flag() ? r[at + 3].Text() : null, r[at + 5].TextIf(r[at + 4]));

    /// <summary>
    /// Content sent separately for some spans (<see cref="ClickHouseSql.SpanContentOf"/>): span id, then input and output
    /// where sent.
    /// </summary>
    public static async Task<Dictionary<string, (string? Input, string? Output)>> ContentAsync(ClickHouseHttp http, ClickHouseSql sql, long projectId,
        IReadOnlyCollection<string> spanIds, CancellationToken cancellationToken)
    {
        if (spanIds.Count == 0)
            return new(StringComparer.Ordinal);
        var rows = await http.QueryAsync(sql.SpanContentOf, new Dictionary<string, object?> { ["project"] = projectId, ["ids"] = spanIds },
            r => (Id: r[0].Text(), Input: r[1].Flag() ? r[2].Text() : null, Output: r[3].Flag() ? r[4].Text() : null), cancellationToken);
        return rows.ToDictionary(r => r.Id, r => (r.Input, r.Output), StringComparer.Ordinal);
    }
}
