using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http.Features;

namespace Zespan.Server.Ingestion;

/// <summary>What reading a request body gave: the bytes, or why there are none (too large, an unreadable encoding).</summary>
public readonly record struct BodyRead(PooledBody? Body, int StatusCode, string? Problem);

/// <summary>
/// The one place an ingest body is read, for both doors (/api/v1/ingest and OTLP): into a pooled buffer, never past the
/// limit, and decompressed when it comes with <c>Content-Encoding: gzip</c> — the limit then holds for the decompressed
/// size too, so a small gzip bomb cannot make the server hold gigabytes.
/// </summary>
public static class RequestBody
{
    public static async Task<BodyRead> ReadAsync(HttpContext context, long limit)
    {
        var encoding = context.Request.Headers.ContentEncoding.ToString().Trim();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (encoding.Length > 0 && !gzip && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            return new BodyRead(null, StatusCodes.Status415UnsupportedMediaType,
                $"Content-Encoding \"{encoding}\" is not supported. Send the body uncompressed or with Content-Encoding: gzip.");
        if (context.Request.ContentLength > limit)
            return TooLarge(limit, compressed: gzip);
        // Our own limit replaces Kestrel's default (30 MB), so the 413 carries our message.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = null;

        var raw = await ReadLimitedAsync(context.Request.Body, context.Request.ContentLength, limit, context.RequestAborted);
        if (raw is null)
            return TooLarge(limit, compressed: gzip);
        if (!gzip)
            return new BodyRead(raw, StatusCodes.Status200OK, null);
        using (raw)
        {
            try
            {
                using var stream = new GZipStream(new MemoryStream(raw.Value.Buffer, 0, raw.Value.Length, writable: false), CompressionMode.Decompress);
                var inflated = await ReadLimitedAsync(stream, raw.Value.Length * 4L, limit, context.RequestAborted);
                return inflated is null
                    ? new BodyRead(null, StatusCodes.Status413PayloadTooLarge,
                        $"The body decompresses to more than {limit:N0} bytes, the limit of one request. Split the batch into smaller requests.")
                    : new BodyRead(inflated, StatusCodes.Status200OK, null);
            }
            catch (InvalidDataException)
            {
                return new BodyRead(null, StatusCodes.Status400BadRequest,
                    "The body is marked Content-Encoding: gzip but is not valid gzip data. Compress it with gzip or drop the header.");
            }
        }
    }

    private static BodyRead TooLarge(long limit, bool compressed) => new(null, StatusCodes.Status413PayloadTooLarge,
        $"An ingest body may be at most {limit:N0} bytes{(compressed ? " (compressed and decompressed)" : "")}. Split the batch into smaller requests.");

    /// <summary>Reads the stream into a pooled buffer, or returns null as soon as it exceeds the limit.</summary>
    private static async Task<PooledBody?> ReadLimitedAsync(Stream source, long? expected, long limit, CancellationToken cancellationToken)
    {
        var initial = (int)Math.Min(expected ?? 64 * 1024, limit + 1);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 4096));
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                buffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }
            var read = await source.ReadAsync(buffer.AsMemory(length, buffer.Length - length), cancellationToken);
            if (read == 0)
                break;
            length += read;
            if (length > limit)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return null;
            }
        }
        return new PooledBody(buffer, length);
    }
}

/// <summary>A request body in a buffer rented from the shared pool; dispose to give it back.</summary>
public readonly record struct PooledBody(byte[] Buffer, int Length) : IDisposable
{
    public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);
    public void Dispose() => ArrayPool<byte>.Shared.Return(Buffer);
}
