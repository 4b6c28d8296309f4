namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Stored spans read and written again by span id, for the writes that fill in what a stored span lacks — trace context
/// from an ancestor (<see cref="TraceContextInheritance"/>), a session name from content sent apart
/// (<see cref="ContentSessionNames"/>): each span's newest version is read under every session it has had a version in
/// (span_keys), and ClickHouse writes the new version from it, so no column travels through the server.
/// </summary>
internal sealed class StoredSpanCopies(ClickHouseHttp http, ClickHouseSql sql, RowVersions versions, SessionRowKeeper sessionRows)
{
    /// <summary>A span's session and user (null where it has none) at its newest version.</summary>
    public readonly record struct Stored(string SpanId, string? SessionId, string? UserId, ulong Version);

    /// <summary>
    /// Spans by id with every session ('' for none) they have had a version in: where their versions are read. Found
    /// once (<see cref="FindAsync"/>) for a read and the copy that follows it.
    /// </summary>
    public sealed record SpanSet(IReadOnlyList<string> Ids, IReadOnlyList<string> Sessions)
    {
        /// <summary>The spans <paramref name="ids"/> of this set, under the same sessions (a superset is harmless).</summary>
        public SpanSet Only(IReadOnlyList<string> ids) => new(ids, Sessions);
    }

    /// <summary>The spans <paramref name="ids"/> with the sessions they have had a version in.</summary>
    public async Task<SpanSet> FindAsync(long projectId, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        new(ids, ids.Count == 0 ? [] : await http.QueryAsync(sql.SessionsOfSpans, new Dictionary<string, object?> { ["project"] = projectId, ["ids"] = ids },
            r => r[0].Text(), cancellationToken));

    /// <summary>The newest session and user of each live span of <paramref name="ids"/> that is stored.</summary>
    public async Task<List<Stored>> ReadAsync(long projectId, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        ids.Count == 0 ? [] : await ReadAsync(projectId, await FindAsync(projectId, ids, cancellationToken), cancellationToken);

    /// <summary>The newest session and user of each live span of <paramref name="spans"/> that is stored.</summary>
    public async Task<List<Stored>> ReadAsync(long projectId, SpanSet spans, CancellationToken cancellationToken)
    {
        if (spans.Ids.Count == 0)
            return [];
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["ids"] = spans.Ids, ["sessions"] = spans.Sessions };
        return await http.QueryAsync(sql.ContextOfSpans, parameters, r => new Stored(r[0].Text(), r[1].TextIf(r[2]), r[3].TextIf(r[4]), r[5].ULong()), cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="copiedVersions"/> (a statement of <see cref="ClickHouseSql"/> with its own
    /// <paramref name="parameters"/>, aligned with the set's ids) for the spans of <paramref name="spans"/>, then
    /// recomputes what the new versions changed, as after a re-send that moves spans between sessions: their sessions,
    /// the ones they left ('' among them) and their traces. <paramref name="givenSessions"/>: the sessions the statement
    /// gives spans that had none, where their new versions are read back with the set's own.
    /// </summary>
    public async Task CopyAsync(long projectId, string copiedVersions, SpanSet spans, Dictionary<string, object?> parameters,
        IEnumerable<string> givenSessions, CancellationToken cancellationToken)
    {
        var version = versions.Next();
        parameters["project"] = projectId;
        parameters["ids"] = spans.Ids;
        parameters["sessions"] = spans.Sessions;
        parameters["version"] = version;
        await http.ExecuteAsync(sql.InsertSpanVersions(copiedVersions), parameters, cancellationToken);
        var readBack = spans with { Sessions = spans.Sessions.Union(givenSessions, StringComparer.Ordinal).ToList() };
        var written = (await ReadAsync(projectId, readBack, cancellationToken)).Where(s => s.Version == version).ToList();
        if (written.Count > 0)
            await sessionRows.SpansWrittenAsync(projectId, written.Select(s => s.SpanId).ToList(), written.Select(s => s.SessionId ?? ""), written: [], cancellationToken);
    }
}
