using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;

namespace Zespan.Server.Tests;

/// <summary>The server on Kestrel with a real socket: request lines are decoded as in production, which TestServer does not do.</summary>
public sealed class KestrelZespanApp : ZespanApp
{
    public KestrelZespanApp() => UseKestrel(options => options.Listen(IPAddress.Loopback, 0));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("urls", "http://127.0.0.1:0");
    }
}

/// <summary>
/// Every id ingestion accepts is readable through every id-bearing API endpoint, percent-encoded as the UI's links and
/// the SDK docs encode it (one path segment), over real HTTP. "org/7/conv-1" used to be stored and then answer 404.
/// </summary>
public sealed class IdRoutingTests(KestrelZespanApp app) : IClassFixture<KestrelZespanApp>
{
    private readonly HttpClient _client = app.ClientWithKey();

    [Theory]
    [InlineData("org/7/conv-1")]
    [InlineData("team/alice")]
    [InlineData("50%2F50")]
    [InlineData("a%b c+d?e#f")]
    [InlineData("..a/./b")]
    [InlineData("café ☕ \U0001F600")]
    [InlineData("back\\slash")]
    [InlineData("%2F")]
    [InlineData("%252F and /")]
    public async Task IdsWithUrlCharacters_AreReadableThroughEveryIdEndpoint(string id)
    {
        var spanId = "span " + id;
        var item = Api.Span("placeholder", sessionId: "placeholder", traceId: "placeholder");
        var node = JsonNode.Parse(item)!.AsObject();
        node["id"] = spanId; node["sessionId"] = "s:" + id; node["traceId"] = "t:" + id; node["userId"] = "u:" + id;
        Assert.Equal(HttpStatusCode.OK, (await _client.IngestAsync(Api.Batch(node.ToJsonString()))).StatusCode);

        static string escaped(string s) => Uri.EscapeDataString(s);
        var session = await _client.GetJsonAsync($"/api/v1/sessions/{escaped("s:" + id)}");
        Assert.Equal("s:" + id, (string)session["session"]!["sessionId"]!);
        Assert.Equal("u:" + id, (string)session["session"]!["userId"]!);
        var userSessions = await _client.GetJsonAsync($"/api/v1/users/{escaped("u:" + id)}/sessions");
        Assert.Equal(["s:" + id], userSessions["data"]!.AsArray().Select(s => (string)s!["sessionId"]!));
        var trace = await _client.GetJsonAsync($"/api/v1/traces/{escaped("t:" + id)}");
        Assert.Equal(spanId, (string)trace["spans"]![0]!["id"]!);
        var byFilter = await _client.GetJsonAsync($"/api/v1/traces?sessionId={escaped("s:" + id)}&userId={escaped("u:" + id)}");
        Assert.Equal(["t:" + id], byFilter["data"]!.AsArray().Select(t => (string)t!["traceId"]!));
    }

}
