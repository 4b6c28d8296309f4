using System.IO.Compression;
using System.Net.Http.Headers;
using Google.Protobuf;
using Zespan.Server.Otlp.Proto.Collector;
using Zespan.Server.Otlp.Proto.Common;
using Zespan.Server.Otlp.Proto.Logs;
using Zespan.Server.Otlp.Proto.Resource;
using Zespan.Server.Otlp.Proto.Trace;
using ProtoSpan = Zespan.Server.Otlp.Proto.Trace.Span;

namespace Zespan.Server.Tests;

/// <summary>Builds OTLP requests by hand, field by field, for the OTLP door's tests.</summary>
public static class OtlpBodies
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    private static readonly System.Text.Json.JsonSerializerOptions Unescaped = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A stored payload as compact JSON text, without escaping of '+' or non-ASCII, to compare with what was sent.</summary>
    public static string Text(System.Text.Json.Nodes.JsonNode node) => node.ToJsonString(Unescaped);

    public static string NewTraceId() => Guid.NewGuid().ToString("N");

    public static string SpanId(int n) => n.ToString("x16");

    public static ProtoSpan Span(string traceId, int spanId, int? parentId, string name, int startMs, int endMs, params (string Key, object Value)[] attributes)
    {
        var span = new ProtoSpan
        {
            TraceId = ByteString.CopyFrom(Convert.FromHexString(traceId)),
            SpanId = ByteString.CopyFrom(Convert.FromHexString(SpanId(spanId))),
            Name = name,
            Kind = ProtoSpan.Types.SpanKind.Client,
            StartTimeUnixNano = (ulong)(Start.AddMilliseconds(startMs).ToUnixTimeMilliseconds() * 1_000_000L),
            EndTimeUnixNano = (ulong)(Start.AddMilliseconds(endMs).ToUnixTimeMilliseconds() * 1_000_000L),
        };
        if (parentId is { } parent)
            span.ParentSpanId = ByteString.CopyFrom(Convert.FromHexString(SpanId(parent)));
        span.Attributes.AddRange(attributes.Select(a => Kv(a.Key, a.Value)));
        return span;
    }

    public static ProtoSpan.Types.Event Event(string name, params (string Key, object Value)[] attributes)
    {
        var e = new ProtoSpan.Types.Event { Name = name, TimeUnixNano = (ulong)(Start.ToUnixTimeMilliseconds() * 1_000_000L) };
        e.Attributes.AddRange(attributes.Select(a => Kv(a.Key, a.Value)));
        return e;
    }

    public static ExportTraceServiceRequest Traces((string Key, object Value)[] resource, params ProtoSpan[] spans)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "tests" } };
        scope.Spans.AddRange(spans);
        var resourceSpans = new ResourceSpans { Resource = new Resource() };
        resourceSpans.Resource.Attributes.AddRange(resource.Select(a => Kv(a.Key, a.Value)));
        resourceSpans.ScopeSpans.Add(scope);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resourceSpans);
        return request;
    }

    public static ExportLogsServiceRequest Logs(params LogRecord[] records)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "tests" } };
        scope.LogRecords.AddRange(records);
        var resourceLogs = new ResourceLogs { Resource = new Resource() };
        resourceLogs.ScopeLogs.Add(scope);
        var request = new ExportLogsServiceRequest();
        request.ResourceLogs.Add(resourceLogs);
        return request;
    }

    public static LogRecord Log(string traceId, int spanId, string eventName, AnyValue body) => new()
    {
        TraceId = ByteString.CopyFrom(Convert.FromHexString(traceId)),
        SpanId = ByteString.CopyFrom(Convert.FromHexString(SpanId(spanId))),
        EventName = eventName,
        Body = body,
        TimeUnixNano = (ulong)(Start.ToUnixTimeMilliseconds() * 1_000_000L),
    };

    public static KeyValue Kv(string key, object value) => new() { Key = key, Value = Any(value) };

    public static AnyValue Any(object value) => value switch
    {
        string s => new AnyValue { StringValue = s },
        int i => new AnyValue { IntValue = i },
        long l => new AnyValue { IntValue = l },
        double d => new AnyValue { DoubleValue = d },
        bool b => new AnyValue { BoolValue = b },
        AnyValue a => a,
        (string, object)[] map => Map(map),
        _ => throw new ArgumentException($"No AnyValue for {value.GetType()}"),
    };

    public static AnyValue Map(params (string Key, object Value)[] fields)
    {
        var list = new KeyValueList();
        list.Values.AddRange(fields.Select(f => Kv(f.Key, f.Value)));
        return new AnyValue { KvlistValue = list };
    }

    public static Task<HttpResponseMessage> PostAsync(this HttpClient client, string path, IMessage message, bool gzip = false)
    {
        var bytes = message.ToByteArray();
        if (gzip)
            bytes = Gzip(bytes);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        if (gzip)
            content.Headers.ContentEncoding.Add("gzip");
        return client.PostAsync(path, content);
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json) => client.PostAsync(path, Api.Json(json));

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var zip = new GZipStream(output, CompressionLevel.Fastest))
            zip.Write(bytes);
        return output.ToArray();
    }

    public static async Task<ExportTraceServiceResponse> TraceResponseAsync(this HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        return ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
    }
}
