namespace Zespan.Core.Sessions;

/// <summary>
/// Keyset position in the sessions list: the sort value and session id of the last row shown.
/// Opaque to clients (base64url); it records its sort so it cannot be replayed against another ordering.
/// </summary>
/// <param name="Value">The exact sort value: a cost has no upper bound (issue 12), so it is 128-bit.</param>
public sealed record SessionCursor(SessionSort Sort, bool Descending, Int128 Value, string SessionId)
{
    private const string Version = "s1";

    /// <summary>The position of one listed session in the given ordering.</summary>
    public static SessionCursor Of(SessionSummary session, SessionSort sort, bool descending) =>
        new(sort, descending, ValueOf(session, sort), session.SessionId);

    /// <summary>
    /// The sort value of a session whose cost is unknown (no call priced): costs are never negative, so -1 cannot be a
    /// real cost, and the stores sort it above every known cost (last ascending, first descending).
    /// </summary>
    public const long UnknownCost = -1;

    /// <summary>
    /// <see cref="Value"/> clamped into 64 bits: a store's sort key where a cost above $9,223,372.03 (2^63 − 1
    /// picodollars) is kept at that bound. Every other sort value fits as it is.
    /// </summary>
    public long SortValue => Spans.Money.Clamp64(Value);

    /// <summary>The value a session is sorted by; the one rule the stores and the cursors share.</summary>
    public static Int128 ValueOf(SessionSummary s, SessionSort sort) => sort switch
    {
        SessionSort.StartedAt => s.StartedMs,
        SessionSort.DurationMs => s.DurationMs,
        SessionSort.Turns => s.Turns,
        SessionSort.CostUsd => s.CostUnknown ? UnknownCost : s.CostPico,
        SessionSort.TotalTokens => s.TotalTokens,
        SessionSort.ErrorCount => s.ErrorCount,
        SessionSort.ActiveDurationMs => s.ActiveMs,
        SessionSort.IdleGapCount => s.IdleGaps,
        _ => throw new ArgumentOutOfRangeException(nameof(sort)),
    };

    /// <summary>
    /// The same position in the opposite order: listing "after" it then yields the rows before it, nearest first.
    /// That is how a page goes back without carrying the cursors of every earlier page.
    /// </summary>
    public SessionCursor Reversed() => this with { Descending = !Descending };

    public string Encode()
    {
        return Base64Url.Encode(string.Join('\n', Version, Sort, Descending ? "d" : "a", Value.ToString(System.Globalization.CultureInfo.InvariantCulture), SessionId));
    }

    /// <summary>Decodes a cursor, or explains why it cannot be used with this sort and order.</summary>
    public static bool TryDecode(string encoded, SessionSort sort, bool descending, out SessionCursor? cursor, out string? error)
    {
        cursor = null;
        error = null;
        if (!Base64Url.TryDecode(encoded, out var text))
        {
            error = "The cursor is not one this server issued. Pass the nextCursor of the previous page unchanged.";
            return false;
        }
        var parts = text.Split('\n', 5);
        if (parts.Length != 5 || parts[0] != Version || !Enum.TryParse<SessionSort>(parts[1], out var cursorSort)
            || !Int128.TryParse(parts[3], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            error = "The cursor is not one this server issued. Pass the nextCursor of the previous page unchanged.";
            return false;
        }
        if (cursorSort != sort || (parts[2] == "d") != descending)
        {
            error = "The cursor belongs to a different sort or order. Start again from the first page when you change the sort.";
            return false;
        }
        cursor = new SessionCursor(cursorSort, descending, value, parts[4]);
        return true;
    }
}
