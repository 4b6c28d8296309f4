using Zespan.Server.Configuration;

namespace Zespan.Server.Ingestion;

/// <summary>
/// Holds an ingest request's body bytes in the IngestByteBudget from before the body is read until the handler has
/// answered (which, for ingestion, is after its spans are committed). A body with a Content-Length reserves it whole
/// up front; a chunked body reserves as it is read. Past the budget the request gets 429 with Retry-After and nothing
/// of it is stored. Put it on every endpoint that reads an ingest body: <c>.RequireIngestByteBudget()</c>.
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
                return Busy(context);
            try
            {
                return await next(invocation);
            }
            finally
            {
                budget.Release(bytes);
            }
        }

        var original = context.Request.Body;
        await using var metered = new BudgetedRequestStream(original, budget);
        context.Request.Body = metered;
        try
        {
            return await next(invocation);
        }
        catch (IngestBudgetExhaustedException) when (!context.Response.HasStarted)
        {
            return Busy(context);
        }
        finally
        {
            context.Request.Body = original;
            budget.Release(metered.Reserved);
        }
    }

    private IResult Busy(HttpContext context)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds;
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Ingestion is busy",
            detail: $"The server is already reading or writing {budget.Capacity:N0} bytes of ingest bodies (ZESPAN_INGEST_BUDGET_BYTES). " +
                "Retry after the Retry-After delay; nothing of this request was stored.");
    }
}

/// <summary>Thrown by BudgetedRequestStream when the next bytes of a chunked body do not fit in the budget.</summary>
public sealed class IngestBudgetExhaustedException() : Exception("The ingest byte budget is exhausted.");

/// <summary>A request body that reserves each read's bytes in the budget before handing them on.</summary>
internal sealed class BudgetedRequestStream(Stream inner, IngestByteBudget budget) : Stream
{
    public long Reserved { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Reserve(read);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Reserve(read);
        return read;
    }

    private void Reserve(int bytes)
    {
        if (!budget.TryReserve(bytes))
            throw new IngestBudgetExhaustedException();
        Reserved += bytes;
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
