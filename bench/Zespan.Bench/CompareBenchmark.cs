using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Zespan.Bench;

/// <summary>
/// The compare page of two long sessions over HTTP against a real server process: both sessions are sent through
/// POST /api/v1/ingest as an SDK sends them (Chat messages: a system prompt, a sliding window of the last
/// <c>window</c> messages and the new user message, an assistant reply, a tool call every 10th turn), then
/// GET /sessions/compare (HTML, logged in), GET /api/v1/sessions/compare and the conversation view of one session are
/// timed, median of <c>runs</c> after two warm-ups.
/// </summary>
public sealed class CompareBenchmark(int turns, int window, int runs)
{
    private const string ApiKey = "zsp_bench_compare_0123456789abcdef";

    public async Task RunAsync()
    {
        var data = Directory.CreateTempSubdirectory("zespan-bench-compare-").FullName;
        try
        {
            var settings = new Dictionary<string, string> { ["ZESPAN_PLAN"] = "scale" };
            string[] ids = ["long-a", "long-b"];
            var inputBytes = 0L;
            await using (var loader = await ServerProcess.StartAsync(data, ApiKey, settings))
            {
                using var api = new HttpClient { BaseAddress = loader.Url, Timeout = TimeSpan.FromMinutes(5) };
                api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
                foreach (var (id, s) in ids.Select((id, s) => (id, s)))
                {
                    foreach (var chunk in Calls(id, s).Chunk(100))
                    {
                        inputBytes += chunk.Sum(c => c.ToJsonString().Length);
                        using var response = await api.PostAsJsonAsync("api/v1/ingest", new JsonObject { ["batch"] = new JsonArray(chunk) });
                        if ((int)response.StatusCode != 200)
                            throw new InvalidOperationException($"Ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }
                }
            }
            Console.WriteLine($"Compare: 2 sessions × {turns:N0} turns, window {window} messages, {inputBytes / 1024.0 / 1024.0:N1} MB of spans sent");

            await UiSession.EnsureUserAsync(Path.Combine(data, "zespan.db"));
            await using var server = await ServerProcess.StartAsync(data, ApiKey, settings);
            using var ui = await UiSession.LogInAsync(server.Url);
            using var client = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromMinutes(5) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
            (string Name, HttpClient Http, string Path)[] cases =
            [
                ("`/sessions/compare?ids=long-a,long-b` HTML page", ui, "sessions/compare?ids=long-a,long-b"),
                ("`GET /api/v1/sessions/compare?ids=long-a,long-b`", client, "api/v1/sessions/compare?ids=long-a,long-b"),
                ("`/sessions/long-a?view=transcript` HTML page", ui, "sessions/long-a?view=transcript"),
                ("`GET /api/v1/sessions/long-a/transcript`", client, "api/v1/sessions/long-a/transcript"),
            ];
            Console.WriteLine($"| Request | median of {runs} | min | max | response |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var (name, http, path) in cases)
            {
                var size = 0;
                var time = await Stats.TimeAsync(async () =>
                {
                    using var response = await http.GetAsync(path);
                    response.EnsureSuccessStatusCode();
                    size = (await response.Content.ReadAsByteArrayAsync()).Length;
                }, runs);
                Console.WriteLine($"| {name} | {time.MedianMs:N1} ms | {time.MinMs:N1} | {time.MaxMs:N1} | {size / 1024.0 / 1024.0:N1} MB |");
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private IEnumerable<JsonObject> Calls(string sessionId, int seed)
    {
        var start = DateTime.UtcNow.AddHours(-2);
        var history = new List<JsonObject>();
        var system = new JsonObject { ["role"] = "system", ["content"] = "You are a coding agent. Work step by step, call tools when you need facts, and keep answers short." };
        for (var t = 0; t < turns; t++)
        {
            history.Add(new JsonObject { ["role"] = "user", ["content"] = $"Step {t}: continue with the next file of the refactoring; here is what the tests said about the last change ({seed}-{t})." });
            JsonObject output = t % 10 == 9
                ? new JsonObject
                {
                    ["role"] = "assistant", ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject { ["id"] = $"call_{t}", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "run_tests", ["arguments"] = $"{{\"filter\":\"step{t}\"}}" } }),
                }
                : new JsonObject { ["role"] = "assistant", ["content"] = $"Done with step {t}: renamed the method, updated 3 call sites and the docs; next I will look at the store." };
            var input = new JsonArray([system.DeepClone(), .. history.TakeLast(window).Select(m => m.DeepClone())]);
            var begin = start.AddSeconds(5 * t);
            yield return new JsonObject
            {
                ["id"] = $"{sessionId}-{t:D5}", ["traceId"] = $"{sessionId}-trace-{t:D5}", ["sessionId"] = sessionId, ["userId"] = "bench-user",
                ["name"] = "chat.completions.create", ["kind"] = "llm", ["model"] = seed == 0 ? "gpt-4o" : "gpt-4o-mini", ["provider"] = "openai",
                ["startTime"] = begin.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), ["endTime"] = begin.AddMilliseconds(300 + (t * 37 + seed * 11) % 2_000).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
                ["usage"] = new JsonObject { ["inputTokens"] = 400 + 30 * Math.Min(t, window), ["outputTokens"] = 40 + t % 50, ["cachedInputTokens"] = 0, ["reasoningTokens"] = 0 },
                ["status"] = "ok", ["input"] = input, ["output"] = output.DeepClone(),
            };
            history.Add(output);
        }
    }
}
