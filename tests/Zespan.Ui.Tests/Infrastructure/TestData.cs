using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Zespan.Ui.Tests.Infrastructure;

/// <summary>
/// A project with 13 sessions spread over 36 days: three users (one session set without a user), one or two models,
/// varied turns and tokens, some errors, one traced request with a nested LLM call per turn, and one session whose
/// prompt carries an HTML/script injection and whose user ID starts with a spreadsheet formula character.
/// </summary>
public static class TestData
{
    public const string InjectionSessionId = "sess-injection";
    public const string InjectionUserId = "@evil-user";
    public const string ScriptPrompt = "<script>window.__pwned = 1; alert('x')</script><img src=x onerror=\"window.__pwned = 2\">";

    public static List<SentSpan> Build(DateTime now)
    {
        var spans = new List<SentSpan>();
        for (var i = 0; i < 12; i++)
        {
            var user = (i % 3) switch { 0 => "user-a", 1 => "user-b", _ => null };
            var turns = 1 + (i * 7 % 5);
            var sessionStart = now.AddDays(-3 * i).AddHours(-2).AddMinutes(-i);
            for (var t = 0; t < turns; t++)
            {
                var traceId = $"trace-{i:00}-{t}";
                var start = sessionStart.AddSeconds(5 * t);
                var latency = 500 + 100 * t + 10 * i;
                var failed = i % 4 == 1 && t == turns - 1;
                var root = new SentSpan($"root-{i:00}-{t}", traceId, null, $"sess-{i:00}", user, "handle_message", "span", null,
                    start, start.AddMilliseconds(latency + 40), 0, 0, 0, failed ? "error" : "ok", failed ? "upstream failed" : null, null, null);
                var llm = new SentSpan($"llm-{i:00}-{t}", traceId, root.Id, $"sess-{i:00}", user, "chat.completions.create", "llm",
                    (i + t) % 2 == 0 ? "gpt-4o" : "gpt-4o-mini", start.AddMilliseconds(20), start.AddMilliseconds(20 + latency),
                    100 * (i + 1) + 37 * t, 20 * (i + 1) + 3 * t, t == 1 ? 64 : 0, failed ? "error" : "ok", failed ? "rate limited by provider" : null,
                    new JsonArray(new JsonObject { ["role"] = "system", ["content"] = "You are a support agent." },
                                  new JsonObject { ["role"] = "user", ["content"] = $"Question {t} of session {i}" }),
                    new JsonObject { ["role"] = "assistant", ["content"] = $"Answer {t} for session {i}" });
                spans.Add(root);
                spans.Add(llm);
            }
        }
        var injectionStart = now.AddMinutes(-30);
        spans.Add(new SentSpan("llm-injection", "trace-injection", null, InjectionSessionId, InjectionUserId, "chat.completions.create", "llm", "gpt-4o",
            injectionStart, injectionStart.AddMilliseconds(900), 321, 45, 0, "ok", null,
            new JsonArray(new JsonObject { ["role"] = "user", ["content"] = ScriptPrompt }),
            new JsonObject { ["role"] = "assistant", ["content"] = "<b>not bold</b>" }));
        return spans;
    }

    public static async Task IngestAsync(ZespanServer server, IReadOnlyList<SentSpan> spans)
    {
        var body = new JsonObject { ["batch"] = new JsonArray(spans.Select(s => (JsonNode)s.ToJson()).ToArray()) };
        var response = await server.Api.PostAsync("/api/v1/ingest", JsonContent.Create(body));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || (int)response.StatusCode == 207)
            throw new InvalidOperationException($"Ingest answered {(int)response.StatusCode}: {text}");
        var sessions = spans.Where(s => s.SessionId is not null).Select(s => s.SessionId).Distinct().Count();
        // Accepted spans are durable, but wait until the session list shows them all before driving the UI.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var list = await server.Api.GetFromJsonAsync<JsonObject>("/api/v1/sessions?limit=1");
            if (list!["totalCount"]!.GetValue<long>() == sessions)
                return;
            await Task.Delay(100);
        }
        throw new TimeoutException("The ingested sessions did not appear in the sessions list.");
    }
}
