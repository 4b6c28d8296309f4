using System.Text;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The text of the gram index (migration 350), which answers a q= of one or two characters: each id and name is stored
/// with char(1) before, between and after its characters, so that a one-character text c is the single trigram
/// (char(1), c, char(1)) and a two-character text cd the single trigram (c, char(1), d). Why: the trigram index of
/// migration 160 holds no token shorter than three characters, and a LIKE scan of every session took ~296 ms at 1 M.
/// Both sides fold A–Z to a–z only, as SQLite's lower() and LIKE do. Characters are Unicode code points, as FTS5's
/// trigram tokenizer counts them; a lone surrogate reaches SQLite as U+FFFD, as Rune enumerates it.
/// </summary>
internal static class SessionGrams
{
    private const char Separator = '\u0001';

    /// <summary>
    /// An id or name as the gram index stores it; null stays null. Only up to a NUL: SQLite's LIKE reads a text no further.
    /// </summary>
    public static string? Indexed(string? text)
    {
        if (text is null)
            return null;
        var indexed = new StringBuilder(2 * text.Length + 1).Append(Separator);
        foreach (var character in Characters(text))
            indexed.Append(character).Append(Separator);
        return indexed.ToString();
    }

    /// <summary>
    /// The characters of an id or name as the index holds them, folded, in order; only up to a NUL (as LIKE reads it).
    /// Indexed stores them and SessionGramCounts counts them: one rule for both.
    /// </summary>
    public static IEnumerable<string> Characters(string text)
    {
        var end = text.IndexOf('\0');
        foreach (var rune in (end < 0 ? text : text[..end]).EnumerateRunes())
            yield return Folded(rune);
    }

    /// <summary>The one folded character a text of one character is, or null (longer, or one the gram index leaves to the scan).</summary>
    public static string? Character(string text) =>
        text.EnumerateRunes().Take(2).ToList() is [var rune] && rune.Value is not (0 or Separator) ? Folded(rune) : null;

    /// <summary>
    /// The text as the FTS5 query of its one gram (a quoted string), or null when the gram index cannot answer it: not
    /// one or two characters, or holding char(1) itself — then (char(1), c, char(1)) would also be the middle of a
    /// stored c char(1) char(1)... and the single token would no longer mean "the text is a substring". NUL is left to
    /// the scan too.
    /// </summary>
    public static string? Token(string text)
    {
        var runes = text.EnumerateRunes().Take(3).ToList();
        if (runes.Count is 0 or > 2 || runes.Any(r => r.Value is 0 or Separator))
            return null;
        var token = runes.Count == 1
            ? $"{Separator}{Folded(runes[0])}{Separator}"
            : $"{Folded(runes[0])}{Separator}{Folded(runes[1])}";
        return "\"" + token.Replace("\"", "\"\"") + "\"";
    }

    private static string Folded(Rune rune) => rune.Value is >= 'A' and <= 'Z' ? ((char)(rune.Value + 32)).ToString() : rune.ToString();
}
