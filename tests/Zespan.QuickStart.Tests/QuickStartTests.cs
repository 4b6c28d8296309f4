using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Zespan.QuickStart.Tests;

/// <summary>The README's promise: start the server, take the printed key, send the contract's example, read figures you can check by hand.</summary>
public sealed class QuickStartTests
{
    // The contract's ingestion example, verbatim apart from "now" timestamps (the server refuses times over a day ahead).
    private static string ContractExample(DateTime start) => $$"""
        { "batch": [ {
            "id": "span-1", "traceId": "trace-1", "parentId": null, "sessionId": "conv-1", "userId": "alice",
            "name": "chat.completions.create", "kind": "llm", "model": "gpt-4o", "provider": "openai",
            "startTime": "{{start:yyyy-MM-ddTHH:mm:ss.fff}}Z", "endTime": "{{start.AddMilliseconds(1250):yyyy-MM-ddTHH:mm:ss.fff}}Z",
            "usage": { "inputTokens": 1200, "outputTokens": 300, "cachedInputTokens": 1000, "reasoningTokens": 0 },
            "costUsd": null, "status": "ok", "error": null,
            "input": [{"role": "user", "content": "Where is my order?"}], "output": {"role": "assistant", "content": "On its way."},
            "metadata": { "feature": "support-chat" }, "tags": ["beta"]
        } ] }
        """;

    [Fact]
    public async Task FirstStart_PrintsKeyAndLogin_AndTheContractExampleGivesHandComputedFigures()
    {
        await using var server = await ServerProcess.StartAsync();
        var key = server.BannerValue("API key:");
        Assert.NotNull(key);
        Assert.StartsWith("zsp_", key);
        Assert.NotNull(server.PrintedAdminPassword());

        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var start = DateTime.UtcNow.AddMinutes(-5);
        var ingest = await http.PostAsync("/api/v1/ingest", new StringContent(ContractExample(start), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        Assert.Equal(1, JsonDocument.Parse(await ingest.Content.ReadAsStringAsync()).RootElement.GetProperty("accepted").GetInt32());

        var list = JsonDocument.Parse(await http.GetStringAsync("/api/v1/sessions")).RootElement;
        Assert.Equal(1, list.GetProperty("totalCount").GetInt64());
        var session = list.GetProperty("data")[0];
        // By hand, gpt-4o at $2.50 / $1.25 cached / $10.00 per 1M tokens: (200 × 2.50 + 1000 × 1.25 + 300 × 10.00) / 1M.
        Assert.Equal(0.00475, session.GetProperty("costUsd").GetDouble(), 12);
        Assert.Equal("conv-1", session.GetProperty("sessionId").GetString());
        Assert.Equal("alice", session.GetProperty("userId").GetString());
        Assert.Equal(1, session.GetProperty("turns").GetInt32());
        Assert.Equal(1250, session.GetProperty("durationMs").GetInt64());
        Assert.Equal(1500, session.GetProperty("totalTokens").GetInt64());
        Assert.Equal("ok", session.GetProperty("status").GetString());

        var detail = JsonDocument.Parse(await http.GetStringAsync("/api/v1/sessions/conv-1")).RootElement;
        Assert.Equal(1250, detail.GetProperty("session").GetProperty("avgLatencyMs").GetDouble());
        Assert.Equal("span-1", detail.GetProperty("timeline")[0].GetProperty("spanId").GetString());
    }

    [Fact]
    public async Task PresetKeyAndPassword_AreUsed_AndNotPrinted()
    {
        const string presetKey = "zsp_quickstart_preset_key_0001";
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["ZESPAN_API_KEY"] = presetKey,
            ["ZESPAN_ADMIN_PASSWORD"] = "a-preset-password",
        });
        Assert.DoesNotContain(presetKey, server.Output);
        Assert.DoesNotContain("a-preset-password", server.Output);
        Assert.Contains("ZESPAN_API_KEY", server.Output);

        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", presetKey);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/sessions")).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "zsp_not_the_right_key_at_all");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/sessions")).StatusCode);
    }

    [Fact]
    public async Task Restart_KeepsData_AndDoesNotPrintANewKey()
    {
        string dataDirectory;
        string key;
        await using (var first = await ServerProcess.StartAsync())
        {
            dataDirectory = first.DataDirectory;
            key = first.BannerValue("API key:")!;
            using var http = new HttpClient { BaseAddress = new Uri(first.BaseUrl) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var ingest = await http.PostAsync("/api/v1/ingest", new StringContent(ContractExample(DateTime.UtcNow.AddMinutes(-1)), Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        }
        await using var second = await ServerProcess.StartAsync(dataDirectory: dataDirectory);
        Assert.DoesNotContain(key, second.Output);
        using var again = new HttpClient { BaseAddress = new Uri(second.BaseUrl) };
        again.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var list = JsonDocument.Parse(await again.GetStringAsync("/api/v1/sessions")).RootElement;
        Assert.Equal(1, list.GetProperty("totalCount").GetInt64());
    }

    [Fact]
    public async Task PresetsOnAFolderSetUpBefore_SayWhetherTheyHold()
    {
        const string presetKey = "zsp_quickstart_preset_key_0002";
        const string presetPassword = "a-preset-password-2";
        string dataDirectory;
        await using (var first = await ServerProcess.StartAsync(new Dictionary<string, string> { ["ZESPAN_API_KEY"] = presetKey, ["ZESPAN_ADMIN_PASSWORD"] = presetPassword }))
            dataDirectory = first.DataDirectory;

        // The same presets again: they hold, and the banner says where the key and the password come from.
        await using (var same = await ServerProcess.StartAsync(new Dictionary<string, string> { ["ZESPAN_API_KEY"] = presetKey, ["ZESPAN_ADMIN_PASSWORD"] = presetPassword }, dataDirectory))
        {
            Assert.Contains("API key:         the value of ZESPAN_API_KEY", same.Output);
            Assert.Contains("password from ZESPAN_ADMIN_PASSWORD", same.Output);
            Assert.DoesNotContain("Not applied", same.Output);
        }

        // Other presets: the server starts with the folder's own key and password and says that the new ones do not hold.
        await using var other = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["ZESPAN_API_KEY"] = "zsp_quickstart_another_key_0003",
            ["ZESPAN_ADMIN_PASSWORD"] = "another-password-3",
        }, dataDirectory);
        Assert.Contains("Not applied:     ZESPAN_API_KEY is not a key of this data folder", other.Output);
        Assert.Contains("zespan keys create", other.Output);
        Assert.Contains("Not applied:     ZESPAN_ADMIN_PASSWORD is not the password of user \"admin\" here", other.Output);
        Assert.Contains("zespan users reset-password admin", other.Output);
        Assert.DoesNotContain("another-password-3", other.Output);
        Assert.DoesNotContain("zsp_quickstart_another_key_0003", other.Output);
        using var http = new HttpClient { BaseAddress = new Uri(other.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", presetKey);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/sessions")).StatusCode);
    }
}
