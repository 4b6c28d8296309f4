using System.Text;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>What the q= tests recompute against: SQLite's LIKE, and the list read page by page as a client reads it.</summary>
internal static class SessionSearchKit
{
    /// <summary>SQLite's LIKE without wildcards: ordinal, with only A–Z folded to a–z.</summary>
    public static bool LikeContains(string text, string part) => Fold(text).Contains(Fold(part), StringComparison.Ordinal);

    private static string Fold(string s) => new(s.Select(c => c is >= 'A' and <= 'Z' ? (char)(c + 32) : c).ToArray());

    /// <summary>A text of <paramref name="min"/> to <paramref name="max"/> pieces of <paramref name="alphabet"/>, drawn from <paramref name="random"/>.</summary>
    public static string Text(this Random random, string[] alphabet, int min, int max)
    {
        var text = new StringBuilder();
        for (int i = 0, n = random.Next(min, max + 1); i < n; i++)
            text.Append(alphabet[random.Next(alphabet.Length)]);
        return text.ToString();
    }

    /// <summary>Every page of the list, following the cursors; the total is the first page's (every page must agree on the set).</summary>
    public static async Task<(List<string> Ids, long TotalCount)> PageThroughAsync(
        this SqliteStorage storage, long project, SessionFilter filter, SessionSort sort, bool descending, int pageSize)
    {
        var ids = new List<string>();
        SessionCursor? after = null;
        long total = -1;
        while (true)
        {
            var page = await storage.Sessions.ListAsync(project, new SessionQuery { Filter = filter, Sort = sort, Descending = descending, Limit = pageSize, After = after });
            total = total < 0 ? page.TotalCount : total;
            ids.AddRange(page.Items.Select(s => s.SessionId));
            if (page.NextCursor is null)
                return (ids, total);
            Assert.True(SessionCursor.TryDecode(page.NextCursor, sort, descending, out after, out _));
        }
    }
}
