using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Zespan.QuickStart.Tests;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// A real server on the two-shard cluster answers every GET endpoint its OpenAPI document lists (the sessions list and
/// its charts, insights, traces, costs, users, transcripts, CSV…) with 200 over data it ingested: no endpoint of the
/// API is left unimplemented or broken on ClickHouse.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed partial class ReadEndpointTests(ClickHouseCluster cluster)
{
    private const string Key = "zsp_clickhouse_read_endpoints_key_0123456789";

    [Fact]
    public async Task EveryGetEndpointOfTheApi_Answers200_OnClickHouse()
    {
        var settings = cluster.NewDatabase();
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["ZESPAN_STORAGE"] = "clickhouse",
            ["ZESPAN_CLICKHOUSE_URL"] = string.Join(",", settings.Urls.Select(u => u.ToString().TrimEnd('/'))),
            ["ZESPAN_CLICKHOUSE_DATABASE"] = settings.Database,
            ["ZESPAN_CLICKHOUSE_CLUSTER"] = settings.Cluster!,
            ["ZESPAN_API_KEY"] = Key,
            ["ZESPAN_ADMIN_PASSWORD"] = "clickhouse-read-endpoints-pw",
        });
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Key);
        try
        {
            var now = DateTimeOffset.UtcNow.AddHours(-1);
            var batch = Enumerable.Range(0, 12).Select(i => new
            {
                id = $"span-{i}", traceId = $"t{i % 3 + 1}", sessionId = $"s{i % 3 + 1}", userId = $"u{i % 2 + 1}", name = "chat.completions.create",
                kind = "llm", model = "gpt-4o", provider = "openai", tags = new[] { i % 2 == 0 ? "chat" : "search" },
                metadata = new Dictionary<string, string> { ["feature"] = $"f{i % 2}" },
                startTime = now.AddMinutes(i * 7).ToString("yyyy-MM-ddTHH:mm:ss.fffZ"), endTime = now.AddMinutes(i * 7).AddSeconds(3).ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
                usage = new { inputTokens = 100 + i, outputTokens = 20 + i },
                input = new object[] { new { role = "user", content = $"Question {i}" } }, output = $"Answer {i}",
            }).ToList();
            using (var ingest = await http.PostAsJsonAsync("/api/v1/ingest", new { batch }))
                Assert.True(ingest.StatusCode == HttpStatusCode.OK, await ingest.Content.ReadAsStringAsync());

            using var openApi = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
            var failures = new List<string>();
            var checkedPaths = 0;
            foreach (var path in openApi.RootElement.GetProperty("paths").EnumerateObject())
            {
                if (!path.Value.TryGetProperty("get", out var get))
                    continue;
                var url = PathParameter().Replace(path.Name, m => m.Groups[1].Value switch
                {
                    "sessionId" => "s1",
                    "traceId" => "t1",
                    "userId" => "u1",
                    var other => other,
                }) + RequiredQuery(get);
                // Required inputs the document does not mark required: the breakdown's grouping, the sessions to compare.
                if (path.Name.EndsWith("/breakdown", StringComparison.Ordinal) && !url.Contains("by=", StringComparison.Ordinal))
                    url += (url.Contains('?') ? "&" : "?") + "by=tag";
                if (path.Name.EndsWith("/compare", StringComparison.Ordinal) && !url.Contains("ids=", StringComparison.Ordinal))
                    url += (url.Contains('?') ? "&" : "?") + "ids=s1,s2";
                if (path.Name.EndsWith("/timeseries", StringComparison.Ordinal) && !url.Contains("from=", StringComparison.Ordinal))
                    url += (url.Contains('?') ? "&" : "?") + $"from={DateTimeOffset.UtcNow.AddDays(-1):yyyy-MM-ddTHH:00:00Z}&to={DateTimeOffset.UtcNow.AddDays(1):yyyy-MM-ddTHH:00:00Z}";
                using var response = await http.GetAsync(url);
                checkedPaths++;
                if (response.StatusCode != HttpStatusCode.OK)
                    failures.Add($"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            Assert.True(failures.Count == 0, string.Join("\n", failures) + "\n" + server.Output);
            Assert.True(checkedPaths >= 15, $"only {checkedPaths} GET endpoints in the OpenAPI document");
        }
        finally
        {
            await ClickHouseBackend.DropDatabaseAsync(settings);
        }
    }

    /// <summary>Values for the query parameters an endpoint requires (sessions to compare), and a grouping wherever one is taken.</summary>
    private static string RequiredQuery(JsonElement get)
    {
        if (!get.TryGetProperty("parameters", out var parameters))
            return "";
        var values = new List<string>();
        foreach (var p in parameters.EnumerateArray())
        {
            var name = p.GetProperty("name").GetString()!;
            if (p.GetProperty("in").GetString() != "query"
                || (name is not ("by" or "from" or "to") && !(p.TryGetProperty("required", out var r) && r.GetBoolean())))
                continue;
            values.Add(name + "=" + name switch
            {
                "ids" => "s1,s2",
                "a" => "s1",
                "b" => "s2",
                "by" => "tag",
                "from" => DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-ddTHH:00:00Z"), // a range around the ingested spans
                "to" => DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:00:00Z"),
                _ => "1",
            });
        }
        return values.Count == 0 ? "" : "?" + string.Join("&", values);
    }

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex PathParameter();
}
