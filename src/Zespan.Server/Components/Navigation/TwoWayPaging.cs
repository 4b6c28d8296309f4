using System.Globalization;
using Zespan.Core.Sessions;
using Zespan.Core.Storage;
using Zespan.Core.Traces;

namespace Zespan.Server.Components.Navigation;

/// <summary>One page of a list with the links to its neighbours, and the page number to show.</summary>
public sealed record PagedView<T>(Page<T> Page, int PageNumber, string? PreviousHref, string? NextHref);

/// <summary>
/// Keyset paging of a list in both directions with a URL of constant length: "cursor" lists the rows after a row,
/// "before" the rows before one (the same keyset query in the opposite order, reversed), "page" is only the number
/// shown. Going back 300 pages costs no more URL than going forward one (a list of earlier cursors passed 8 KB by page 141).
/// </summary>
public static class TwoWayPaging
{
    public const string Before = "before";

    public static async Task<(PagedView<SessionSummary>? View, string? Error)> ListSessionsAsync(
        ISessionReader reader, long projectId, SessionQuery query, string path, IQueryCollection url, CancellationToken cancellationToken)
    {
        SessionCursor? before = null;
        if (url[Before].ToString() is { Length: > 0 } beforeText
            && !SessionCursor.TryDecode(beforeText, query.Sort, query.Descending, out before, out var error))
            return (null, error!.Replace("nextCursor", "link"));
        var view = await PageAsync(path, url, query.After is not null,
            () => reader.ListAsync(projectId, query, cancellationToken),
            before is null ? null : () => reader.ListAsync(projectId, query with { Descending = !query.Descending, After = before.Reversed() }, cancellationToken),
            () => reader.ListAsync(projectId, query with { After = null }, cancellationToken),
            s => SessionCursor.Of(s, query.Sort, query.Descending).Encode());
        return (view, null);
    }

    public static async Task<(PagedView<TraceSummary>? View, string? Error)> ListTracesAsync(
        ITraceReader reader, long projectId, TraceQuery query, string path, IQueryCollection url, CancellationToken cancellationToken)
    {
        (long StartedMs, string TraceId) before = default;
        var beforeText = url[Before].ToString();
        var goingBack = beforeText.Length > 0;
        if (goingBack && !TraceCursor.TryDecode(beforeText, out before))
            return (null, "The link is not one this server issued. Start again from the first page.");
        var view = await PageAsync(path, url, query.After is not null,
            () => reader.ListAsync(projectId, query, cancellationToken),
            goingBack ? () => reader.ListAsync(projectId, query with { OldestFirst = true, After = before }, cancellationToken) : null,
            () => reader.ListAsync(projectId, query with { After = null }, cancellationToken),
            t => TraceCursor.Encode(t.StartedMs, t.TraceId));
        return (view, null);
    }

    /// <summary>
    /// The paging rule, whatever the list. <paramref name="listForward"/> lists after the "cursor" row;
    /// <paramref name="listBackward"/> (null unless the URL has "before") lists after the "before" row in the opposite
    /// order; <paramref name="listFirst"/> lists the first page; <paramref name="cursorOf"/> is a row's forward cursor.
    /// </summary>
    public static async Task<PagedView<T>> PageAsync<T>(string path, IQueryCollection url, bool hasAfter,
        Func<Task<Page<T>>> listForward, Func<Task<Page<T>>>? listBackward, Func<Task<Page<T>>> listFirst, Func<T, string> cursorOf)
    {
        var shown = int.TryParse(url["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
        Page<T> page;
        bool hasPrevious;
        if (listBackward is not null)
        {
            var backwards = await listBackward();
            hasPrevious = backwards.NextCursor is not null && backwards.Items.Count > 0;
            List<T> items = [.. backwards.Items.AsEnumerable().Reverse()];
            page = hasPrevious && items.Count > 0
                // The page we came from follows this one, so there is always a next page: after this page's last row.
                ? new Page<T>(items, cursorOf(items[^1]), backwards.TotalCount)
                // Nothing further back: this is the first page, listed from the start so it is full even if rows moved.
                : await listFirst();
        }
        else
        {
            page = await listForward();
            hasPrevious = hasAfter;
        }
        var number = hasPrevious ? Math.Max(2, shown) : 1;
        string? previous = null;
        if (hasPrevious && page.Items.Count > 0)
        {
            previous = PageUrl.With(path, url, ("cursor", null), ("prev", null), (Before, cursorOf(page.Items[0])), ("page", (number - 1).ToString(CultureInfo.InvariantCulture)));
        }
        var next = page.NextCursor is null ? null
            : PageUrl.With(path, url, ("cursor", page.NextCursor), ("prev", null), (Before, null), ("page", (number + 1).ToString(CultureInfo.InvariantCulture)));
        return new PagedView<T>(page, number, previous, next);
    }
}
