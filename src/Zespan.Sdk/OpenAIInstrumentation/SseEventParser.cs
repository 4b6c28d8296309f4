using System.Buffers;
using System.Text;

namespace ZespanSdk.OpenAIInstrumentation;

/// <summary>Receives complete server-sent events.</summary>
internal interface ISseEventSink
{
    void OnEvent(string? eventName, ReadOnlySpan<byte> data);
}

/// <summary>
/// Incremental server-sent-events parser (the WHATWG rules OpenAI follows): it is fed whatever chunks the network
/// delivers and reports each event once its terminating blank line has arrived.
/// </summary>
internal sealed class SseEventParser
{
    private readonly ISseEventSink _sink;
    private readonly ArrayBufferWriter<byte> _line = new(256);
    private readonly ArrayBufferWriter<byte> _data = new(1024);
    private bool _hasData;
    private string? _eventName;

    public SseEventParser(ISseEventSink sink) => _sink = sink;

    public void Feed(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int newline = bytes.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _line.Write(bytes);
                return;
            }

            ReadOnlySpan<byte> line = bytes[..newline];
            if (_line.WrittenCount > 0)
            {
                _line.Write(line);
                ProcessLine(_line.WrittenSpan);
                _line.Clear();
            }
            else
            {
                ProcessLine(line);
            }
            bytes = bytes[(newline + 1)..];
        }
    }

    /// <summary>The stream ended: an event still missing its blank line is delivered anyway.</summary>
    public void Finish()
    {
        if (_line.WrittenCount > 0)
        {
            ProcessLine(_line.WrittenSpan);
            _line.Clear();
        }
        Dispatch();
    }

    private void ProcessLine(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }
        if (line.IsEmpty)
        {
            Dispatch();
            return;
        }
        if (line[0] == (byte)':')
        {
            return; // comment / keep-alive
        }

        int colon = line.IndexOf((byte)':');
        ReadOnlySpan<byte> field = colon < 0 ? line : line[..colon];
        ReadOnlySpan<byte> value = colon < 0 ? default : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (field.SequenceEqual("data"u8))
        {
            if (_hasData)
            {
                _data.Write("\n"u8);
            }
            _data.Write(value);
            _hasData = true;
        }
        else if (field.SequenceEqual("event"u8))
        {
            _eventName = Encoding.UTF8.GetString(value);
        }
    }

    private void Dispatch()
    {
        if (_hasData)
        {
            _sink.OnEvent(_eventName, _data.WrittenSpan);
        }
        _data.Clear();
        _hasData = false;
        _eventName = null;
    }
}
