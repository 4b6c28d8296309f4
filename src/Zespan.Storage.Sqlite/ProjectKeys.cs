namespace Zespan.Storage.Sqlite;

/// <summary>
/// The order of (project, session id) keys as the tables keyed by them sort: project, then the id ordinally. The writer
/// walks a batch's sessions, and queues them for the guard, in it for the locality <see cref="KeyOrder"/> explains (in
/// the sessions table's primary key and the tables keyed by session: tags, metadata, guard_pending); the sort indexes,
/// keyed by figures, gain nothing. A batch's traces are not sorted: that measured no gain (docs/benchmarks.md, session 38).
/// </summary>
internal sealed class ProjectKeys : IComparer<(long ProjectId, string Id)>
{
    public static readonly ProjectKeys Comparer = new();

    public int Compare((long ProjectId, string Id) x, (long ProjectId, string Id) y)
    {
        var c = x.ProjectId.CompareTo(y.ProjectId);
        return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
    }

    /// <summary>The entries of a dictionary keyed by (project, id), in key order.</summary>
    public static IEnumerable<KeyValuePair<(long, string), TValue>> InOrder<TValue>(Dictionary<(long, string), TValue> entries) =>
        entries.OrderBy(entry => entry.Key, Comparer);
}
