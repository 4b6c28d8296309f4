using Zespan.Core.Sessions;

namespace Zespan.Storage.ClickHouse;

/// <summary>A matching session with its tags and (when asked for a metadata key) that key's values.</summary>
internal sealed record SessionFact(SessionSummary Session, List<string> Tags, List<string> MetadataValues)
{
    /// <summary>The kinds the session belongs to under a grouping, as the breakdowns count them (null: none, or no grouping).</summary>
    public IReadOnlyList<string?> KindsUnder(SessionGrouping? by) => by switch
    {
        null => [null],
        SessionGrouping.ByUser => [Session.UserId],
        SessionGrouping.ByTag => Tags.Count == 0 ? [null] : [.. Tags],
        SessionGrouping.ByMetadata => MetadataValues.Count == 0 ? [null] : [.. MetadataValues],
        _ => throw new ArgumentOutOfRangeException(nameof(by)),
    };
}

/// <summary>Every session matching a filter (its session row), for the figures computed over whole sets in C# (kinds, trends, outliers, the overview).</summary>
internal sealed class SessionFacts(ClickHouseHttp http, ClickHouseSql sql)
{
    public async Task<List<SessionFact>> ReadAsync(long projectId, SessionFilter filter, string? metadataKey, CancellationToken cancellationToken, string? sessionId = null)
    {
        var parameters = new Dictionary<string, object?> { ["project"] = projectId };
        if (sessionId is not null)
            parameters["session"] = sessionId;
        ClickHouseSql.FilterParameters(filter, parameters);
        if (metadataKey is not null)
            parameters["meta_key"] = metadataKey;
        return await http.QueryAsync(sql.SessionFacts(filter, metadataKey is not null, sessionId is not null), parameters,
            r => new SessionFact(SpanReading.Session(r), r[SpanReading.SessionColumnCount].Strings(), r[SpanReading.SessionColumnCount + 1].Strings()), cancellationToken);
    }
}
