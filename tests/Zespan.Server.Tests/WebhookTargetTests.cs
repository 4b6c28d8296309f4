using System.Net;
using Zespan.Core.Alerts;
using Zespan.Server.Alerts;

namespace Zespan.Server.Tests;

/// <summary>
/// Webhook targets inside the network are refused unless the operator allows them: at rule creation (a 400 naming
/// webhookUrl and the setting) and again when connecting, so a name that resolves inward later is refused too.
/// </summary>
public sealed class WebhookTargetTests : IDisposable
{
    private readonly ZespanApp _app = new();
    private readonly HttpClient _client;

    public WebhookTargetTests() => _client = _app.ClientWithKey();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("http://127.0.0.1:9/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://192.168.0.10/hook")]
    [InlineData("http://172.20.0.1/hook")]
    [InlineData("http://[fd00::1]/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    [InlineData("http://0.0.0.0/hook")]
    public async Task APrivateTarget_IsRefusedWithoutTheSetting_NamingTheFieldAndTheSetting(string url)
    {
        var response = await _client.PostAsync("/api/v1/alerts/rules", Api.Json($$"""{"kind":"session_cost","thresholdUsd":5,"webhookUrl":"{{url}}"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal("webhookUrl", (string)problem["field"]!);
        Assert.Contains("ZESPAN_WEBHOOK_ALLOW_PRIVATE", (string)problem["detail"]!);
        Assert.Empty((await _client.GetJsonAsync("/api/v1/alerts/rules"))["data"]!.AsArray());
    }

    [Theory]
    [InlineData("""{"kind":"session_price","thresholdUsd":5,"webhookUrl":"https://example.com/h"}""", "kind")]
    [InlineData("""{"kind":"session_cost","webhookUrl":"https://example.com/h"}""", "thresholdUsd")]
    [InlineData("""{"kind":"session_cost","thresholdUsd":-1,"webhookUrl":"https://example.com/h"}""", "thresholdUsd")]
    [InlineData("""{"kind":"session_turns","thresholdTurns":0,"webhookUrl":"https://example.com/h"}""", "thresholdTurns")]
    [InlineData("""{"kind":"user_cost","thresholdUsd":5,"window":"7d","webhookUrl":"https://example.com/h"}""", "window")]
    [InlineData("""{"kind":"session_cost","thresholdUsd":5,"webhookUrl":"ftp://example.com/h"}""", "webhookUrl")]
    [InlineData("""{"kind":"session_cost","thresholdUsd":5}""", "webhookUrl")]
    [InlineData("""{"kind":"session_cost","thresholdUsd":5,"webhookUrl":"https://user:pw@example.com/h"}""", "webhookUrl")]
    public async Task ABadRule_IsRefusedWith400NamingTheField(string json, string field)
    {
        var response = await _client.PostAsync("/api/v1/alerts/rules", Api.Json(json));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (string)(await response.ReadJsonAsync())["field"]!);
    }

    [Fact]
    public async Task BadDeliveryAndGuardParameters_Are400Or404ProblemsNot5xx()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/api/v1/alerts/deliveries?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/api/v1/alerts/deliveries?ruleId=x")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.DeleteAsync("/api/v1/alerts/rules/abc")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/v1/sessions/no-such-session/guard")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.ClientWithKey(null).GetAsync("/api/v1/alerts/rules")).StatusCode);
    }

    [Fact]
    public void InternalAddresses_AreRecognised_AndPublicOnesAreNot()
    {
        foreach (var inside in new[] { "127.0.0.1", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "224.0.0.1" })
            Assert.True(WebhookTargets.IsInternal(IPAddress.Parse(inside)), inside);
        foreach (var outside in new[] { "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "64:ff9b::808:808" })
            Assert.False(WebhookTargets.IsInternal(IPAddress.Parse(outside)), outside);
    }

    [Fact]
    public async Task AtConnectTime_AnInternalAddressIsRefused_AndNothingIsSent()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var options = new AlertOptions(); // private targets not allowed
        using var sender = new WebhookSender(new WebhookTargets(options), options, TimeProvider.System);
        var attempt = await sender.SendAsync(new DueDelivery(1, 1, "evt_1", "{}", receiver.Url().Replace("127.0.0.1", "localhost"), "whsec_x", 0), 1, CancellationToken.None);
        Assert.Null(attempt.StatusCode);
        Assert.StartsWith("refused:", attempt.Error);
        Assert.Empty(receiver.Calls);
    }
}
