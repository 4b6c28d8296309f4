namespace ZespanSdk.Export;

/// <summary>What one ingest attempt means for the batch: done, worth another try, or hopeless.</summary>
internal enum IngestOutcomeKind
{
    /// <summary>2xx: accepted items are durable; any rejected ones are named and will never be accepted.</summary>
    Delivered,

    /// <summary>429, 408, 5xx or a network failure: send the same batch again later.</summary>
    Retryable,

    /// <summary>400, 401, 413 and other 4xx: resending the same bytes cannot succeed.</summary>
    Rejected,
}

internal sealed record IngestOutcome(
    IngestOutcomeKind Kind,
    int Accepted,
    IReadOnlyList<string> RejectedItems,
    TimeSpan? RetryAfter,
    string? Problem)
{
    public static IngestOutcome Delivered(int accepted, IReadOnlyList<string> rejected) =>
        new(IngestOutcomeKind.Delivered, accepted, rejected, null, null);

    public static IngestOutcome Retryable(string problem, TimeSpan? retryAfter = null) =>
        new(IngestOutcomeKind.Retryable, 0, [], retryAfter, problem);

    public static IngestOutcome Rejected(string problem) =>
        new(IngestOutcomeKind.Rejected, 0, [], null, problem);
}
