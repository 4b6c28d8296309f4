using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zespan.Reliability.Tests.Infrastructure;

/// <summary>Spans in the ingest contract's JSON, and the calls that send and read them.</summary>
public static class Spans
{
    /// <summary>A recent start time, inside every plan's retention and the one-day clock-skew window.</summary>
    public static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddHours(-2);

    public static JsonObject Llm(string id, string? sessionId = null, string? traceId = null, string? userId = null,
        long inputTokens = 100, long outputTokens = 20, decimal? costUsd = 0.001m, int offsetMs = 0, string status = "ok") => new()
        {
            ["id"] = id,
            ["traceId"] = traceId ?? "t-" + id,
            ["sessionId"] = sessionId,
            ["userId"] = userId,
            ["name"] = "chat.completions.create",
            ["kind"] = "llm",
            ["model"] = "gpt-4o",
            ["provider"] = "openai",
            ["startTime"] = Time(offsetMs),
            ["endTime"] = Time(offsetMs + 250),
            ["usage"] = new JsonObject { ["inputTokens"] = inputTokens, ["outputTokens"] = outputTokens },
            ["costUsd"] = costUsd,
            ["status"] = status,
            ["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hello " + id }),
            ["output"] = new JsonObject { ["role"] = "assistant", ["content"] = "hi" },
        };

    public static string Time(int offsetMs) => Start.AddMilliseconds(offsetMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");

    public static byte[] Body(IEnumerable<JsonNode> spans) =>
        Encoding.UTF8.GetBytes(new JsonObject { ["batch"] = new JsonArray(spans.Select(s => s.DeepClone()).ToArray()) }.ToJsonString());

    public static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    public static Task<HttpResponseMessage> IngestAsync(this HttpClient client, IEnumerable<JsonNode> spans) =>
        client.PostAsync("/api/v1/ingest", Json(Body(spans)));

    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 1_000 })!;
    }

    public static async Task<JsonNode?> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try { return JsonNode.Parse(text); }
        catch (JsonException) { return null; }
    }

    /// <summary>A path segment for an id; dots are escaped too, so that "." and ".." stay ids and not path steps.</summary>
    public static string Escape(string id) => Uri.EscapeDataString(id).Replace(".", "%2E", StringComparison.Ordinal);
}
