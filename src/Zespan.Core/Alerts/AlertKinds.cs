namespace Zespan.Core.Alerts;

/// <summary>The names rules and windows have on the wire and in the database, written once.</summary>
public static class AlertKinds
{
    public const long DayMs = 24L * 60 * 60 * 1000;
    public const long ThirtyDaysMs = 30 * DayMs;

    private static readonly Dictionary<AlertKind, string> Names = new()
    {
        [AlertKind.SessionCost] = "session_cost",
        [AlertKind.SessionTurns] = "session_turns",
        [AlertKind.UserCost] = "user_cost",
        [AlertKind.SessionAnomalous] = "session_anomalous",
    };

    public static IReadOnlyCollection<string> All => Names.Values;

    public static string Name(AlertKind kind) => Names[kind];

    public static bool TryParse(string? text, out AlertKind kind)
    {
        foreach (var (k, name) in Names)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>"24h" or "30d", the two rolling windows of a user rule.</summary>
    public static bool TryParseWindow(string? text, out long windowMs)
    {
        windowMs = text?.Trim().ToLowerInvariant() switch
        {
            "24h" => DayMs,
            "30d" => ThirtyDaysMs,
            _ => 0,
        };
        return windowMs > 0;
    }

    public static string? WindowName(long? windowMs) => windowMs switch
    {
        DayMs => "24h",
        ThirtyDaysMs => "30d",
        null => null,
        _ => $"{windowMs}ms",
    };

    public static bool IsCost(AlertKind kind) => kind is AlertKind.SessionCost or AlertKind.UserCost;
}
