using System.ClientModel;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Chat;
using ZespanSdk.Tests.Infrastructure;

namespace ZespanSdk.Tests.Integration;

/// <summary>
/// A real ASP.NET Core app on Kestrel, configured the way the docs say (AddZespan from configuration,
/// UseZespanContext, a wrapped ChatClient and a UseZespan() IChatClient), serving concurrent requests.
/// </summary>
[Collection(ZespanServerCollection.Name)]
public sealed class AspNetCoreAppTests
{
    private readonly ZespanServerFixture _fixture;

    public AspNetCoreAppTests(ZespanServerFixture fixture) => _fixture = fixture;

    private async Task<WebApplication> StartAppAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Zespan:ApiKey"] = ZespanServerProcess.ApiKey,
            ["Zespan:BaseUrl"] = _fixture.Server.BaseUrl.ToString(),
            ["Zespan:FlushInterval"] = "00:00:00.100",
        });

        builder.Services.AddZespan(builder.Configuration);
        var openAIOptions = new OpenAIClientOptions { Endpoint = _fixture.OpenAI.Endpoint };
        builder.Services.AddSingleton(_ => Zespan.Wrap(new ChatClient("gpt-4o-mini", new ApiKeyCredential("sk-test"), openAIOptions)));
        builder.Services.AddChatClient(new ChatClient("gpt-4o", new ApiKeyCredential("sk-test"), openAIOptions).AsIChatClient()).UseZespan();

        WebApplication app = builder.Build();
        app.UseZespanContext();
        app.MapPost("/chat", async (ChatRequest request, ChatClient chat) =>
        {
            await Task.Delay(Random.Shared.Next(0, 20)); // interleave the concurrent requests
            ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage(request.Message)]);
            return Results.Ok(new { answer = completion.Content[0].Text });
        });
        app.MapPost("/assistant", async (ChatRequest request, IChatClient chat) =>
            Results.Ok(new { answer = (await chat.GetResponseAsync(request.Message)).Text }));
        await app.StartAsync();
        return app;
    }

    public sealed record ChatRequest(string Message);

    private static HttpClient ClientFor(WebApplication app) => new()
    {
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
    };

    private static HttpRequestMessage Post(string path, string session, string user, string message) => new(HttpMethod.Post, path)
    {
        Content = JsonContent.Create(new ChatRequest(message)),
        Headers = { { "X-Zespan-Session-Id", session }, { "X-Zespan-User-Id", user } },
    };

    [Fact]
    public async Task ConcurrentRequests_EachKeepTheirOwnSessionAndUser()
    {
        const int conversations = 8;
        const int turnsEach = 3;
        string run = Guid.NewGuid().ToString("N")[..8];
        await using (WebApplication app = await StartAppAsync())
        {
            using HttpClient http = ClientFor(app);
            IEnumerable<Task> requests = Enumerable.Range(0, conversations).SelectMany(c => Enumerable.Range(0, turnsEach).Select(async t =>
            {
                using HttpResponseMessage response = await http.SendAsync(Post("/chat", $"conv-{run}-{c}", $"user-{c}", $"conversation {c} turn {t}"));
                response.EnsureSuccessStatusCode();
            }));
            await Task.WhenAll(requests);
            await app.StopAsync(); // the hosted service flushes here
        }

        for (int c = 0; c < conversations; c++)
        {
            JsonObject detail = await _fixture.Server.WaitForTurnsAsync($"conv-{run}-{c}", turnsEach);
            Assert.Equal($"user-{c}", detail["session"]!["userId"]!.GetValue<string>());
            Assert.Equal("gpt-4o-mini-2024-07-18", detail["timeline"]![0]!["model"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task ChatClientFromDependencyInjection_IsRecordedWithTheRequestContext()
    {
        string session = "meai-" + Guid.NewGuid().ToString("N");
        await using (WebApplication app = await StartAppAsync())
        {
            using HttpClient http = ClientFor(app);
            (await http.SendAsync(Post("/assistant", session, "di-user", "hello from DI"))).EnsureSuccessStatusCode();
            (await http.SendAsync(Post("/assistant", session, "di-user", "second hello"))).EnsureSuccessStatusCode();
            await app.StopAsync();
        }

        JsonObject detail = await _fixture.Server.WaitForTurnsAsync(session, 2);
        Assert.Equal("di-user", detail["session"]!["userId"]!.GetValue<string>());
        Assert.True(detail["session"]!["costUsd"]!.GetValue<decimal>() > 0);
    }
}
