using System.Text;
using System.Text.Json;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// The sessions list's page from candidates (<see cref="ClickHouseSql.SessionPageOfCandidates"/>): each shard groups only
/// the sessions among its first row versions in the page's order, and the page is used only when the shards' thresholds
/// (<see cref="ClickHouseSql.CandidateThresholds"/>) prove it is the page the whole grouping would give.
/// </summary>
internal static class CandidatePage
{
    /// <summary>
    /// Row versions each shard takes, for a page of <paramref name="rows"/> rows: a session's older versions (not yet
    /// merged away) and the rows the filter drops later take places, so a margin of several times the page.
    /// </summary>
    public static long Candidates(int rows) => 8L * rows;

    /// <summary>
    /// Whether <paramref name="page"/> (at most <paramref name="rows"/> rows in the order) is the page. A shard with no
    /// threshold row read all its matching rows. Otherwise every session of that shard whose newest row comes before its
    /// threshold is a candidate, and a session equal to it is the threshold's own; so when the page is full and its
    /// last row does not come after any threshold, no session missing from the candidates could come before that row.
    /// </summary>
    public static bool Proves<T>(IReadOnlyList<(T Row, SortKey Key)> page, IReadOnlyList<SortKey> thresholds, int rows, bool descending)
    {
        if (thresholds.Count == 0)
            return true;
        if (page.Count < rows)
            return false;
        var last = page[^1].Key;
        return thresholds.All(t => descending ? last.CompareTo(t) >= 0 : last.CompareTo(t) <= 0);
    }

    /// <summary>
    /// A sort key as ClickHouse orders it: the numbers k0, k1, … then the session id, compared as bytes (ClickHouse
    /// compares strings by their UTF-8 bytes, which is not .NET's UTF-16 ordinal order above U+FFFF).
    /// </summary>
    public sealed record SortKey(long[] Values, byte[] Id) : IComparable<SortKey>
    {
        /// <summary>The key of a row whose numbers are at <paramref name="at"/>… and whose session id is at <paramref name="idAt"/>.</summary>
        public static SortKey Of(JsonElement[] row, int at, int length, int idAt) =>
            new(Enumerable.Range(at, length).Select(i => row[i].Long()).ToArray(), Encoding.UTF8.GetBytes(row[idAt].Text()));

        public int CompareTo(SortKey? other)
        {
            ArgumentNullException.ThrowIfNull(other);
            for (var i = 0; i < Values.Length; i++)
            {
                var c = Values[i].CompareTo(other.Values[i]);
                if (c != 0)
                    return c;
            }
            return Id.AsSpan().SequenceCompareTo(other.Id);
        }
    }
}
