namespace Zespan.Storage.Sqlite;

/// <summary>
/// The order of (project, session id) keys as the tables keyed by them sort: project, then the id ordinally. The writer
/// walks a batch's sessions in it for the locality <see cref="KeyOrder"/> explains (sessions_by_* and the per-session
/// tables); a batch's traces are not sorted, which measured no gain (docs/benchmarks.md, session 38).
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
