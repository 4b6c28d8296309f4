using System.Globalization;
using Zespan.Core.Sessions;
using Zespan.Core.Storage;

namespace Zespan.Server.Components.Navigation;

/// <summary>One page of a list with the links to its neighbours, and the page number to show.</summary>
public sealed record PagedView<T>(Page<T> Page, int PageNumber, string? PreviousHref, string? NextHref);

/// <summary>
/// Keyset paging of the sessions list in both directions with a URL of constant length: "cursor" lists the rows after a
/// row, "before" the rows before one (the same keyset query in the opposite order, reversed), "page" is only the number
/// shown. Going back 300 pages costs no more URL than going forward one (a list of earlier cursors passed 8 KB by page 141).
/// </summary>
public static class TwoWayPaging
{
    public const string Before = "before";

    public static async Task<(PagedView<SessionSummary>? View, string? Error)> ListSessionsAsync(
        ISessionReader reader, long projectId, SessionQuery query, string path, IQueryCollection url, CancellationToken cancellationToken)
    {
        var shown = int.TryParse(url["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
        Page<SessionSummary> page;
        bool hasPrevious;
        if (url[Before].ToString() is { Length: > 0 } beforeText)
        {
            if (!SessionCursor.TryDecode(beforeText, query.Sort, query.Descending, out var before, out var error))
                return (null, error!.Replace("nextCursor", "link"));
            var backwards = await reader.ListAsync(projectId, query with { Descending = !query.Descending, After = before!.Reversed() }, cancellationToken);
            hasPrevious = backwards.NextCursor is not null && backwards.Items.Count > 0;
            List<SessionSummary> items = [.. backwards.Items.AsEnumerable().Reverse()];
            page = hasPrevious && items.Count > 0
                // The page we came from follows this one, so there is always a next page: after this page's last row.
                ? new Page<SessionSummary>(items, SessionCursor.Of(items[^1], query.Sort, query.Descending).Encode(), backwards.TotalCount)
                // Nothing further back: this is the first page, listed from the start so it is full even if rows moved.
                : await reader.ListAsync(projectId, query with { After = null }, cancellationToken);
        }
        else
        {
            page = await reader.ListAsync(projectId, query, cancellationToken);
            hasPrevious = query.After is not null;
        }
        var number = hasPrevious ? Math.Max(2, shown) : 1;
        string? previous = null;
        if (hasPrevious && page.Items.Count > 0)
        {
            var first = SessionCursor.Of(page.Items[0], query.Sort, query.Descending).Encode();
            previous = PageUrl.With(path, url, ("cursor", null), ("prev", null), (Before, first), ("page", (number - 1).ToString(CultureInfo.InvariantCulture)));
        }
        var next = page.NextCursor is null ? null
            : PageUrl.With(path, url, ("cursor", page.NextCursor), ("prev", null), (Before, null), ("page", (number + 1).ToString(CultureInfo.InvariantCulture)));
        return (new PagedView<SessionSummary>(page, number, previous, next), null);
    }
}
