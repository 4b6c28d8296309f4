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

    /// <summary>The newest session and user of each live span of <paramref name="ids"/> that is stored.</summary>
    public async Task<List<Stored>> ReadAsync(long projectId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
            return [];
        var parameters = new Dictionary<string, object?> { ["project"] = projectId, ["ids"] = ids, ["sessions"] = await SessionsOfAsync(projectId, ids, cancellationToken) };
        return await http.QueryAsync(sql.ContextOfSpans, parameters, r => new Stored(r[0].Text(), r[1].TextIf(r[2]), r[3].TextIf(r[4]), r[5].ULong()), cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="copiedVersions"/> (a statement of <see cref="ClickHouseSql"/> with its own
    /// <paramref name="parameters"/>) for the spans <paramref name="ids"/>, then recomputes what the new versions changed,
    /// as after a re-send that moves spans between sessions: their sessions, the ones they left ('' among them) and their
    /// traces. Returns the spans it wrote a version of.
    /// </summary>
    public async Task<List<Stored>> CopyAsync(long projectId, string copiedVersions, IReadOnlyList<string> ids, Dictionary<string, object?> parameters,
        CancellationToken cancellationToken)
    {
        var version = versions.Next();
        parameters["project"] = projectId;
        parameters["ids"] = ids;
        parameters["sessions"] = await SessionsOfAsync(projectId, ids, cancellationToken);
        parameters["version"] = version;
        await http.ExecuteAsync(sql.InsertSpanVersions(copiedVersions), parameters, cancellationToken);
        var written = (await ReadAsync(projectId, ids, cancellationToken)).Where(s => s.Version == version).ToList();
        if (written.Count > 0)
            await sessionRows.SpansWrittenAsync(projectId, written.Select(s => s.SpanId).ToList(), written.Select(s => s.SessionId ?? ""), written: [], cancellationToken);
        return written;
    }

    private Task<List<string>> SessionsOfAsync(long projectId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        http.QueryAsync(sql.SessionsOfSpans, new Dictionary<string, object?> { ["project"] = projectId, ["ids"] = ids }, r => r[0].Text(), cancellationToken);
}
