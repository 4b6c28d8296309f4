namespace Zespan.Server.Components.Formatting;

/// <summary>When a message is long enough to fold, and the one-line preview shown while it is folded.</summary>
public static class MessageFolding
{
    public const int DefaultMaxChars = 700;
    private const int MaxLines = 12;
    private const int PreviewChars = 160;

    public static bool IsLong(string text, int maxChars = DefaultMaxChars) => text.Length > maxChars || text.AsSpan().Count('\n') >= MaxLines;

    public static string Preview(string text)
    {
        var firstLine = text.AsSpan().TrimStart();
        var end = firstLine.IndexOf('\n');
        if (end >= 0)
            firstLine = firstLine[..end];
        return firstLine.Length > PreviewChars ? string.Concat(firstLine[..PreviewChars], "…") : firstLine.ToString() + (end >= 0 ? " …" : "");
    }
}
