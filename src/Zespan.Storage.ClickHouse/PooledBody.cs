using System.Buffers;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// An INSERT's body written into an array rented from the shared pool and given back when disposed. A group commit's
/// span rows are ~1.3 kB each, so its body is ~26 MB at 20,000 spans: as a fresh array per write (and each doubling on
/// the way there) the runtime zeroes it and the GC collects it from the large-object heap, which showed in the servers'
/// profile as memset, page faults and collections (docs/benchmarks.md, session 27).
/// </summary>
internal sealed class PooledBody : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _written;

    /// <summary>What has been written so far; valid until the body is disposed.</summary>
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Reserve(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
            return;
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, checked(_buffer.Length * 2)));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _written = 0;
    }
}
