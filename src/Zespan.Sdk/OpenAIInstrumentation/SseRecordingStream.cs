namespace ZespanSdk.OpenAIInstrumentation;

/// <summary>
/// Stands in for the response body of a streamed call. Every byte is passed to the OpenAI library untouched and
/// also fed to a parser, so the span sees each event exactly when the app does. The span ends when the stream
/// ends, fails, or is disposed early because the caller stopped reading.
/// </summary>
internal sealed class SseRecordingStream : Stream
{
    private readonly Stream _inner;
    private readonly IStreamRecorder _recorder;
    private readonly SseEventParser _parser;
    private bool _observing = true;
    private int _finished;

    public SseRecordingStream(Stream inner, IStreamRecorder recorder)
    {
        _inner = inner;
        _recorder = recorder;
        _parser = new SseEventParser(recorder);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = _inner.Read(buffer);
        }
        catch (Exception ex)
        {
            Finish(reachedEnd: false, ex);
            throw;
        }
        Observe(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Finish(reachedEnd: false, ex);
            throw;
        }
        Observe(buffer.Span[..read]);
        return read;
    }

    private void Observe(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            Finish(reachedEnd: true, failure: null);
            return;
        }
        if (!_observing)
        {
            return;
        }
        try
        {
            _parser.Feed(bytes);
        }
        catch
        {
            // Recording must never disturb the app's stream: stop looking, keep passing bytes through.
            _observing = false;
        }
    }

    private void Finish(bool reachedEnd, Exception? failure)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }
        if (reachedEnd && _observing)
        {
            try
            {
                // Only a stream that really ended may have a final event without its blank line. When the caller
                // abandons the stream, the last bytes read are often half an event (a read can stop anywhere, and
                // on a busy machine several events arrive in one read): it never reached the app and is dropped.
                _parser.Finish();
            }
            catch
            {
                // A malformed tail is not worth losing the span over.
            }
        }
        try
        {
            _recorder.Finish(reachedEnd, failure);
        }
        catch
        {
            // Same rule as above: a recording problem stays inside the SDK (the recorder has ended the span anyway).
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Finish(reachedEnd: false, failure: null);
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        Finish(reachedEnd: false, failure: null);
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
