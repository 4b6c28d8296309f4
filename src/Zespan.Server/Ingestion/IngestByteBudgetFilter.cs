using Zespan.Server.Configuration;

namespace Zespan.Server.Ingestion;

/// <summary>
/// Holds an ingest request's body bytes in the IngestByteBudget from before the body is read until the handler has
/// answered (which, for ingestion, is after its spans are committed). A body with a Content-Length reserves it whole
/// up front; a chunked body reserves the largest body allowed and gives back the rest once read. Past the budget the
/// request gets 429 with Retry-After and nothing of it is stored. Put it on every endpoint that reads an ingest body:
/// <c>.RequireIngestByteBudget()</c>.
/// </summary>
public sealed class IngestByteBudgetFilter(IngestByteBudget budget, ZespanServerOptions options) : IEndpointFilter
{
    public const string RetryAfterSeconds = "1";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var declared = context.Request.ContentLength;
        if (declared is { } length)
        {
            // A body over the size limit is refused by the handler without being read: it needs no budget.
            var bytes = length > options.MaxIngestBodyBytes ? 0 : length;
            if (!budget.TryReserve(bytes))
                return await BusyAsync(context);
            try
            {
                return await next(invocation);
            }
            finally
            {
                budget.Release(bytes);
            }
        }

        // A chunked body's size is known only at its end: it reserves the largest body allowed, and gives back what it
        // did not use once it has been read. Reserving as it streams would let many bodies each hold a part and none finish.
        if (!budget.TryReserve(options.MaxIngestBodyBytes))
            return await BusyAsync(context);
        var original = context.Request.Body;
        var metered = new MeteredRequestStream(original, budget, options.MaxIngestBodyBytes);
        context.Request.Body = metered;
        try
        {
            return await next(invocation);
        }
        finally
        {
            context.Request.Body = original;
            budget.Release(metered.Reserved);
        }
    }

    private async Task<IResult> BusyAsync(HttpContext context)
    {
        await DrainAsync(context);
        context.Response.Headers.RetryAfter = RetryAfterSeconds;
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Ingestion is busy",
            detail: $"The server is already reading or writing {budget.Capacity:N0} bytes of ingest bodies (ZESPAN_INGEST_BUDGET_BYTES). " +
                "Retry after the Retry-After delay; nothing of this request was stored.");
    }

    /// <summary>
    /// Reads the rest of a refused body through a small buffer, holding no more of it, so that the client (which sends the
    /// whole body before it reads an answer, as most HTTP/1.1 clients do) gets the 429 and not a reset connection.
    /// </summary>
    private async Task DrainAsync(HttpContext context)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            long drained = 0;
            int read;
            while (drained <= options.MaxIngestBodyBytes
                && (read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
                drained += read;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException)
        {
            // The client went away; there is nobody to answer.
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>
/// A chunked request body holding a reservation of the largest body allowed; at its end it gives back the bytes it
/// did not use, so a small chunked body holds the large reservation only while it is being received.
/// </summary>
internal sealed class MeteredRequestStream(Stream inner, IngestByteBudget budget, long reserved) : Stream
{
    private long _read;

    public long Reserved { get; private set; } = reserved;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken), buffer.Length);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count), count);

    private int Count(int read, int requested)
    {
        _read += read;
        if (read == 0 && requested > 0 && Reserved > _read)
        {
            budget.Release(Reserved - _read);
            Reserved = _read;
        }
        return read;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

public static class IngestByteBudgetExtensions
{
    /// <summary>Counts this endpoint's request bodies against the ingest byte budget.</summary>
    public static TBuilder RequireIngestByteBudget<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, IngestByteBudgetFilter>();
}
