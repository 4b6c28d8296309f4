using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Zespan.Bench;

/// <summary>
/// Server memory under many concurrent large ingest bodies (issue 12: "RSS ≤ 1 GB with 200 concurrent 10 MB bodies").
/// Per run: a fresh server; every client sends one distinct body of about --body-mb MB (small LLM spans, like a busy
/// exporter's batch) at the same moment, then retries after Retry-After until it is accepted or --seconds pass.
/// Reports the server's peak RSS (VmHWM), the answers, and the body bytes stored per second.
/// </summary>
public sealed class MemoryBoundBenchmark(int clients, double bodyMegabytes, int runs, int seconds, long? budgetBytes)
{
    private const string Key = "zsp_bench_memory_key_000000000000001";

    public async Task RunAsync()
    {
        var template = BodyTemplate.Build((long)(bodyMegabytes * 1_000_000));
        Console.WriteLine($"{clients} clients × {template.Length:N0} bytes ({template.Spans:N0} spans each), " +
            $"budget {(budgetBytes is null ? "default" : budgetBytes.Value.ToString("N0"))}, {runs} runs, retries for up to {seconds} s");
        var peaks = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var data = Directory.CreateTempSubdirectory("zespan-bench-memory-").FullName;
            var settings = new Dictionary<string, string>();
            if (budgetBytes is { } budget)
                settings["ZESPAN_INGEST_BUDGET_BYTES"] = budget.ToString();
            await using (var server = await ServerProcess.StartAsync(data, Key, settings))
            {
                using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromMinutes(10) };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
                var accepted = 0;
                var refusals = 0;
                var failures = 0;
                var deadline = Stopwatch.StartNew();
                var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var all = Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
                {
                    await start.Task;
                    do
                    {
                        try
                        {
                            using var response = await http.PostAsync("api/v1/ingest", template.Content($"{i:0000}"));
                            if (response.IsSuccessStatusCode)
                            {
                                Interlocked.Increment(ref accepted);
                                return;
                            }
                            Interlocked.Increment(ref refusals);
                            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                        }
                        catch (HttpRequestException)
                        {
                            Interlocked.Increment(ref failures);
                            await Task.Delay(1000);
                        }
                    }
                    while (deadline.Elapsed < TimeSpan.FromSeconds(seconds));
                }).ToList());
                deadline.Restart(); // every client sends its first body at once
                start.SetResult();
                await all;
                var elapsed = deadline.Elapsed.TotalSeconds;
                var (rss, peak) = server.Memory();
                peaks.Add(peak / 1048576.0);
                Console.WriteLine($"run {run}: peak RSS {peak / 1048576.0:N0} MiB (now {rss / 1048576.0:N0} MiB); {accepted} bodies accepted, " +
                    $"{refusals} answers 429, {failures} connection errors; {accepted * (double)template.Length / elapsed / 1e6:N1} MB/s stored over {elapsed:N1} s");
            }
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
        peaks.Sort();
        Console.WriteLine($"median peak RSS {peaks[peaks.Count / 2]:N0} MiB (min {peaks[0]:N0}, max {peaks[^1]:N0}); load average {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    /// <summary>A body built once with a 4-character marker in its ids; each client streams it with its own code.</summary>
    private sealed class BodyTemplate(byte[] bytes, int[] markers, int spans)
    {
        private const string Marker = "@@@@";
        public long Length => bytes.Length;
        public int Spans => spans;

        public static BodyTemplate Build(long targetBytes)
        {
            var batch = new JsonArray();
            var start = DateTimeOffset.UtcNow.AddHours(-1);
            var size = 20L;
            var count = 0;
            for (; size < targetBytes - 2_000; count++)
            {
                var span = new JsonObject
                {
                    ["id"] = $"{Marker}-{count}", ["traceId"] = $"{Marker}-t{count % 100}", ["sessionId"] = $"{Marker}-s{count % 100}",
                    ["name"] = "chat.completions.create", ["kind"] = "llm", ["model"] = "gpt-4o",
                    ["startTime"] = start.AddMilliseconds(count).ToString("O"), ["endTime"] = start.AddMilliseconds(count + 250).ToString("O"),
                    ["usage"] = new JsonObject { ["inputTokens"] = 100, ["outputTokens"] = 20 },
                    ["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = new string('x', 700) }),
                };
                size += span.ToJsonString().Length + 1;
                batch.Add(span);
            }
            var body = Encoding.UTF8.GetBytes(new JsonObject { ["batch"] = batch }.ToJsonString());
            var found = new List<int>();
            var marker = Encoding.ASCII.GetBytes(Marker);
            for (var at = 0; (at = body.AsSpan(at).IndexOf(marker) is var next and >= 0 ? at + next : -1) >= 0; at += Marker.Length)
                found.Add(at);
            return new BodyTemplate(body, found.ToArray(), count);
        }

        /// <summary>The template streamed with <paramref name="code"/> in place of the marker: no 10 MB copy per client.</summary>
        public HttpContent Content(string code)
        {
            var content = new Patched(bytes, markers, Encoding.ASCII.GetBytes(code));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            content.Headers.ContentLength = bytes.Length;
            return content;
        }

        private sealed class Patched(byte[] template, int[] markers, byte[] code) : HttpContent
        {
            protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
            {
                var buffer = new byte[64 * 1024];
                for (var start = 0; start < template.Length; start += buffer.Length)
                {
                    var count = Math.Min(buffer.Length, template.Length - start);
                    template.AsSpan(start, count).CopyTo(buffer);
                    var first = Array.BinarySearch(markers, start - code.Length);
                    for (var k = first < 0 ? ~first : first; k < markers.Length && markers[k] < start + count; k++) // a marker may straddle two slices
                        for (int j = 0, at = markers[k]; j < code.Length; j++)
                            if (at + j >= start && at + j < start + count)
                                buffer[at + j - start] = code[j];
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
}
