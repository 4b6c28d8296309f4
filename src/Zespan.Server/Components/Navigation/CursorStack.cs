namespace Zespan.Server.Components.Navigation;

/// <summary>
/// Keyset paging that can go back: the URL carries the current page's cursor and the cursors of the pages before it
/// ("prev", joined by '.', which base64url cursors never contain). So every page is a plain link and can be bookmarked.
/// </summary>
public sealed record CursorStack(string? Cursor, IReadOnlyList<string> Previous)
{
    private const char Separator = '.';

    public int PageNumber => Cursor is null ? 1 : Previous.Count + 2;

    public static CursorStack Read(IQueryCollection query)
    {
        var cursor = query["cursor"].ToString() is { Length: > 0 } c ? c : null;
        var previous = cursor is null || query["prev"].ToString() is not { Length: > 0 } p
            ? []
            : p.Split(Separator, StringSplitOptions.RemoveEmptyEntries);
        return new CursorStack(cursor, previous);
    }

    /// <summary>The query values of the next page (cursor and prev), given the next cursor the reader returned.</summary>
    public (string Cursor, string? Prev) Next(string nextCursor)
    {
        var stack = Cursor is null ? Previous : [.. Previous, Cursor];
        return (nextCursor, stack.Count == 0 ? null : string.Join(Separator, stack));
    }

    /// <summary>The query values of the previous page; null cursor means the first page.</summary>
    public (string? Cursor, string? Prev) Back()
    {
        if (Previous.Count == 0)
            return (null, null);
        var stack = Previous.Take(Previous.Count - 1).ToList();
        return (Previous[^1], stack.Count == 0 ? null : string.Join(Separator, stack));
    }
}
