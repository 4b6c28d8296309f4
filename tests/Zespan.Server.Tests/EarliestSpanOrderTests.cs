using System.Net;

namespace Zespan.Server.Tests;

/// <summary>
/// "A session's user is the user of its earliest span, ties by span id", with ids in code point order: U+E000 comes before
/// U+1F600 (UTF-16 code units put the emoji's surrogate 0xD83D first). The same answer in one request, in two requests
/// in either order, and after a replacement rebuilds the session.
/// </summary>
public sealed class EarliestSpanOrderTests(ZespanApp app) : IClassFixture<ZespanApp>
{
    private const string PrivateUse = "a\uE000", Emoji = "a\U0001F600";

    private static string Call(string id, string user, int output = 10) =>
        Api.Span(id, sessionId: "tie", traceId: "tie-trace", output: output, extra: $"\"userId\":\"{user}\"");

    [Theory]
    [InlineData("one request")]
    [InlineData("private-use first")]
    [InlineData("emoji first")]
    [InlineData("replaced")]
    public async Task SameMillisecond_TheSmallerIdInCodePointOrder_GivesTheUser(string how)
    {
        var (_, key) = await app.CreateProjectAsync(how);
        var client = app.ClientWithKey(key);
        string first = Call(PrivateUse, "private-use-user"), second = Call(Emoji, "emoji-user");
        string[] requests = how switch
        {
            "one request" => [Api.Batch(second, first)],
            "private-use first" => [Api.Batch(first), Api.Batch(second)],
            "emoji first" => [Api.Batch(second), Api.Batch(first)],
            _ => [Api.Batch(first, second), Api.Batch(Call(Emoji, "emoji-user", output: 20))], // a changed span: rebuilt from the stored spans
        };
        foreach (var body in requests)
            Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(body)).StatusCode);

        Assert.Equal("private-use-user", (string?)(await client.GetJsonAsync("/api/v1/sessions/tie"))["session"]!["userId"]);
        Assert.Equal("private-use-user", (string?)(await client.GetJsonAsync("/api/v1/traces"))["data"]![0]!["userId"]);
    }
}
