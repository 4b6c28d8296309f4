namespace ZespanSdk;

/// <summary>What happened to the spans handed to the exporter so far; a span is counted in exactly one of the last four.</summary>
/// <param name="Pending">Queued or being sent right now.</param>
/// <param name="Delivered">Stored by the server (2xx and not named as rejected).</param>
/// <param name="DroppedQueueFull">Discarded on arrival because the queue was full or the tracer was shut down.</param>
/// <param name="DroppedAfterRetries">Given up after the server stayed unreachable through every retry, or at shutdown.</param>
/// <param name="RejectedByServer">Refused by the server (400/401/413, or named in a 207); resending could not help.</param>
public sealed record ExportStatistics(
    long Pending,
    long Delivered,
    long DroppedQueueFull,
    long DroppedAfterRetries,
    long RejectedByServer);
