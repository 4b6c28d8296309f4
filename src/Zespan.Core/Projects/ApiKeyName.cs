namespace Zespan.Core.Projects;

/// <summary>What an API key's name may be, for the settings page and the CLI alike.</summary>
public static class ApiKeyName
{
    public const int MaxLength = 100;

    /// <summary>
    /// Why <paramref name="name"/> (trimmed) cannot name a key, or null. Control characters are refused: `zespan keys list`
    /// printed them to the terminal as they were (escape sequences, carriage returns).
    /// </summary>
    public static string? Problem(string name)
    {
        var trimmed = name.Trim();
        if (trimmed.Length is 0 or > MaxLength)
            return $"A key name must be 1 to {MaxLength} characters long.";
        return trimmed.Any(char.IsControl) ? "A key name must not contain control characters (tabs, line breaks, escape codes)." : null;
    }
}
