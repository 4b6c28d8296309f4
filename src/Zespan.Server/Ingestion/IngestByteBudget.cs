namespace Zespan.Server.Ingestion;

/// <summary>
/// Bounds the bytes of ingest bodies in flight: read, parsed, queued and not yet committed. The number of spans queued
/// (IngestionPipeline) does not bound memory by itself: 200 clients each sending a 10 MB body hold 2 GB of bodies before
/// a single span is queued. A request reserves its body's bytes before reading it and releases them after its spans
/// are committed; a reservation that does not fit is refused at once, so the caller can answer 429 instead of waiting.
/// </summary>
public sealed class IngestByteBudget
{
    private long _reserved;

    public IngestByteBudget(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    /// <summary>Most body bytes in flight at once.</summary>
    public long Capacity { get; }

    /// <summary>Body bytes in flight now.</summary>
    public long Reserved => Interlocked.Read(ref _reserved);

    /// <summary>Takes <paramref name="bytes"/> from the budget if they fit; never blocks.</summary>
    public bool TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        while (true)
        {
            var current = Interlocked.Read(ref _reserved);
            if (current + bytes > Capacity)
                return false;
            if (Interlocked.CompareExchange(ref _reserved, current + bytes, current) == current)
                return true;
        }
    }

    public void Release(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Interlocked.Add(ref _reserved, -bytes);
    }
}
