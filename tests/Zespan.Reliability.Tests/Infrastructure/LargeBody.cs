using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Zespan.Reliability.Tests.Infrastructure;

/// <summary>
/// An ingest body of about <c>targetBytes</c> (10,000 small LLM spans at 10 MB, like a busy exporter's batch), built once
/// as a template whose span ids carry a 4-character marker. Each client streams the template with its own code in place
/// of the marker, so 200 clients send 200 distinct 10 MB bodies without the test holding 2 GB of them.
/// </summary>
public sealed class LargeBody
{
    private const string Marker = "@@@@";
    private readonly byte[] _template;
    private readonly int[] _markers;

    public LargeBody(long targetBytes, int sessions = 100)
    {
        var spans = new List<JsonNode>();
        var filler = new string('x', 700);
        var size = 20L;
        for (var i = 0; size < targetBytes - 2_000; i++)
        {
            var span = Spans.Llm($"{Marker}-{i}", sessionId: $"{Marker}-s{i % sessions}", traceId: $"{Marker}-t{i % sessions}", offsetMs: i);
            span["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = filler });
            size += span.ToJsonString().Length + 1;
            spans.Add(span);
        }
        SpanCount = spans.Count;
        SessionCount = Math.Min(sessions, spans.Count);
        _template = Spans.Body(spans);
        var markerBytes = Encoding.ASCII.GetBytes(Marker);
        var found = new List<int>();
        for (var at = _template.AsSpan().IndexOf(markerBytes); at >= 0;)
        {
            found.Add(at);
            var next = _template.AsSpan(at + Marker.Length).IndexOf(markerBytes);
            at = next < 0 ? -1 : at + Marker.Length + next;
        }
        _markers = found.ToArray();
    }

    public int SpanCount { get; }
    public int SessionCount { get; }
    public long Length => _template.Length;

    /// <summary>Session ids of the body sent with <paramref name="code"/>.</summary>
    public IEnumerable<string> SessionIds(string code) => Enumerable.Range(0, SessionCount).Select(i => $"{code}-s{i}");

    /// <summary>The body for one client; <paramref name="code"/> is 4 ASCII characters.</summary>
    public HttpContent Content(string code)
    {
        if (code.Length != Marker.Length)
            throw new ArgumentException("codes are 4 characters", nameof(code));
        var content = new Streamed(_template, _markers, Encoding.ASCII.GetBytes(code));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentLength = _template.Length;
        return content;
    }

    private sealed class Streamed(byte[] template, int[] markers, byte[] code) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var buffer = new byte[64 * 1024];
            var markerIndex = 0;
            for (var start = 0; start < template.Length; start += buffer.Length)
            {
                var count = Math.Min(buffer.Length, template.Length - start);
                template.AsSpan(start, count).CopyTo(buffer);
                // Patch every marker byte that falls in this slice (a marker may straddle two slices).
                while (markerIndex < markers.Length && markers[markerIndex] < start + count)
                {
                    for (var j = 0; j < code.Length; j++)
                    {
                        var at = markers[markerIndex] + j;
                        if (at >= start && at < start + count)
                            buffer[at - start] = code[j];
                    }
                    if (markers[markerIndex] + code.Length <= start + count)
                        markerIndex++;
                    else
                        break;
                }
                await stream.WriteAsync(buffer.AsMemory(0, count));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = template.Length;
            return true;
        }
    }
}
