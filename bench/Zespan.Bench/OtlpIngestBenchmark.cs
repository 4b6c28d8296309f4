using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Zespan.Core.Spans;
using Zespan.DataGen;
using Zespan.Server.Otlp.Proto.Collector;
using Zespan.Server.Otlp.Proto.Common;
using Zespan.Server.Otlp.Proto.Resource;
using Zespan.Server.Otlp.Proto.Trace;
using ProtoSpan = Zespan.Server.Otlp.Proto.Trace.Span;

namespace Zespan.Bench;

/// <summary>
/// The same LLM spans (DataGen, as the SDKs send them) posted to a fresh server as /api/v1/ingest JSON and as OTLP
/// protobuf (GenAI attributes: operation, model, provider, conversation id, user, usage incl. cache and reasoning,
/// messages), alternating door per run; the clock runs from the first request to the last 2xx. Reports spans/s per door,
/// the ratio OTLP / JSON, and server CPU per span.
/// </summary>
public sealed class OtlpIngestBenchmark(int sessions, int runs, int concurrency, int batch)
{
    private const string Key = "zsp_bench_otlp_key_0123456789";

    public async Task RunAsync()
    {
        var plan = RecentTraffic.Plan(sessions);
        var spans = Enumerable.Range(0, sessions).SelectMany(new SessionGenerator(plan).Generate)
            .Where(s => s.Kind == SpanKind.Llm).Select(s => s with { ParentId = null }).ToList();
        var warmSpans = Enumerable.Range(0, sessions).SelectMany(new SessionGenerator(plan with { Seed = 8 }).Generate)
            .Where(s => s.Kind == SpanKind.Llm).Select(s => s with { ParentId = null }).ToList();
        var json = (Bodies: spans.Chunk(batch).Select(IngestJson.Batch).ToList(), Warm: warmSpans.Chunk(batch).Select(IngestJson.Batch).ToList());
        var otlp = (Bodies: spans.Chunk(batch).Select(Otlp).ToList(), Warm: warmSpans.Chunk(batch).Select(Otlp).ToList());
        Console.WriteLine($"OTLP vs JSON ingest: {spans.Count:N0} LLM spans of {sessions:N0} sessions, requests of {batch}, concurrency {concurrency}, {runs} runs; " +
                          $"JSON {json.Bodies.Sum(b => (long)b.Length) / 1024 / 1024:N0} MB, protobuf {otlp.Bodies.Sum(b => (long)b.Length) / 1024 / 1024:N0} MB");

        var results = new Dictionary<string, List<(double Seconds, double Cpu)>> { ["json"] = [], ["otlp"] = [] };
        for (var run = 0; run < runs; run++)
        {
            foreach (var door in run % 2 == 0 ? new[] { "json", "otlp" } : ["otlp", "json"])
            {
                var (bodies, warm, path, type) = door == "json"
                    ? (json.Bodies, json.Warm, "api/v1/ingest", "application/json")
                    : (otlp.Bodies, otlp.Warm, "v1/traces", "application/x-protobuf");
                var data = Directory.CreateTempSubdirectory("zespan-bench-otlp-").FullName;
                try
                {
                    await using var server = await ServerProcess.StartAsync(data, Key);
                    using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = server.Url, Timeout = TimeSpan.FromMinutes(5) };
                    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
                    await PostAllAsync(client, warm, path, type);
                    var cpuBefore = server.CpuTime();
                    var clock = Stopwatch.StartNew();
                    await PostAllAsync(client, bodies, path, type);
                    var seconds = clock.Elapsed.TotalSeconds;
                    var cpu = (server.CpuTime() - cpuBefore).TotalSeconds;
                    results[door].Add((seconds, cpu));
                    Console.WriteLine($"  run {run + 1} {door}: {spans.Count / seconds:N0} spans/s, {cpu * 1e6 / spans.Count:N1} µs server CPU per span");
                }
                finally
                {
                    Directory.Delete(data, recursive: true);
                }
            }
        }
        double Rate(string door) => spans.Count / Stats.Median(results[door].Select(r => r.Seconds));
        double CpuPerSpan(string door) => Stats.Median(results[door].Select(r => r.Cpu)) * 1e6 / spans.Count;
        Console.WriteLine();
        Console.WriteLine($"| /api/v1/ingest JSON (median of {runs}) | {Rate("json"):N0} LLM spans/s | {CpuPerSpan("json"):N1} µs server CPU/span |");
        Console.WriteLine($"| /v1/traces OTLP protobuf (median of {runs}) | {Rate("otlp"):N0} LLM spans/s | {CpuPerSpan("otlp"):N1} µs server CPU/span |");
        Console.WriteLine($"| Ratio OTLP / JSON | {Rate("otlp") / Rate("json"):N2} (throughput) | {CpuPerSpan("otlp") / CpuPerSpan("json"):N2} (CPU per span) |");
    }

    /// <summary>One OTLP request carrying the spans as a GenAI instrumentation would (ids derived from Zespan's ids).</summary>
    private static byte[] Otlp(SpanRecord[] spans)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "bench" } };
        foreach (var s in spans)
        {
            var span = new ProtoSpan
            {
                TraceId = ByteString.CopyFrom(MD5.HashData(Encoding.UTF8.GetBytes(s.TraceId))),
                SpanId = ByteString.CopyFrom(MD5.HashData(Encoding.UTF8.GetBytes(s.Id)).AsSpan(0, 8)),
                Name = s.Name,
                Kind = ProtoSpan.Types.SpanKind.Client,
                StartTimeUnixNano = (ulong)s.StartMs * 1_000_000UL,
                EndTimeUnixNano = (ulong)s.EndMs * 1_000_000UL,
            };
            var a = span.Attributes;
            a.Add(Kv("gen_ai.operation.name", "chat"));
            a.Add(Kv("gen_ai.provider.name", s.Provider ?? "openai"));
            a.Add(Kv("gen_ai.request.model", s.Model ?? "unknown"));
            if (s.SessionId is not null) a.Add(Kv("gen_ai.conversation.id", s.SessionId));
            if (s.UserId is not null) a.Add(Kv("user.id", s.UserId));
            a.Add(Kv("gen_ai.usage.input_tokens", s.Usage.InputTokens));
            a.Add(Kv("gen_ai.usage.output_tokens", s.Usage.OutputTokens));
            a.Add(Kv("gen_ai.usage.cache_read.input_tokens", s.Usage.CachedInputTokens));
            a.Add(Kv("gen_ai.usage.reasoning.output_tokens", s.Usage.ReasoningTokens));
            if (s.InputJson is not null) a.Add(Kv("gen_ai.input.messages", s.InputJson));
            if (s.OutputJson is not null) a.Add(Kv("gen_ai.output.messages", s.OutputJson));
            if (s.Status == SpanStatus.Error)
                span.Status = new Status { Code = Status.Types.StatusCode.Error, Message = s.Error ?? "" };
            scope.Spans.Add(span);
        }
        var resource = new ResourceSpans { Resource = new Resource() };
        resource.Resource.Attributes.Add(Kv("service.name", "bench"));
        resource.ScopeSpans.Add(scope);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resource);
        return request.ToByteArray();
    }

    private static KeyValue Kv(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };
    private static KeyValue Kv(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    private async Task PostAllAsync(HttpClient client, List<byte[]> bodies, string path, string type)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Count)
                await PostWithRetryAsync(client, bodies[i], path, type);
        })));
    }

    private static async Task PostWithRetryAsync(HttpClient client, byte[] body, string path, string type)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(type);
            using var response = await client.PostAsync(path, content);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                // OTLP reports refused spans inside a 200 (partial_success); a benchmark that stored less would lie.
                if (type == "application/x-protobuf" && ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync()).PartialSuccess is { } partial)
                    throw new InvalidOperationException($"Spans were refused: {partial.ErrorMessage}");
                return;
            }
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.MultiStatus)
                throw new InvalidOperationException($"Spans were refused: {text}");
            if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) || attempt > 20)
                throw new InvalidOperationException($"{path} refused with {(int)response.StatusCode}: {text}");
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(200));
        }
    }
}
