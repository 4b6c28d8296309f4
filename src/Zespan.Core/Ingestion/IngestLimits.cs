namespace Zespan.Core.Ingestion;

/// <summary>The documented limits of one ingested span (see docs/api.md, "Limits").</summary>
public static class IngestLimits
{
    public const int MaxIdLength = 256;
    public const int MaxNameLength = 512;
    public const int MaxErrorLength = 65_536;
    /// <summary>Per field (input, output): a 1 MB prompt is normal for long-context calls and is stored whole.</summary>
    public const int MaxPayloadBytes = 4 * 1024 * 1024;
    public const int MaxMetadataBytes = 65_536;
    public const int MaxTags = 50;
    public const int MaxTagLength = 128;
    /// <summary>Nesting allowed inside input, output and metadata; deeper values are refused by name.</summary>
    public const int MaxPayloadDepth = 64;
    public const long MaxTokens = 1_000_000_000_000;
    public const double MaxCostUsd = 1_000_000;
    /// <summary>Timestamps before this are not real LLM calls (an unset clock or a seconds/milliseconds mix-up).</summary>
    public static readonly DateTimeOffset EarliestTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    /// <summary>How far in the future a timestamp may be, for clients with a skewed clock.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromDays(1);
}
