using Microsoft.Playwright;

namespace Zespan.Ui.Tests.Infrastructure;

/// <summary>One server with the test data set ingested and a logged-in browser, shared by the tests that read it.</summary>
public sealed class SeededServerFixture : IAsyncLifetime
{
    public ZespanServer Server { get; private set; } = default!;
    public BrowserSession Browser { get; private set; } = default!;
    public IReadOnlyList<SentSpan> Spans { get; private set; } = [];
    public IReadOnlyList<ExpectedSession> Sessions { get; private set; } = [];
    public DateTime Now { get; } = DateTime.UtcNow;

    public async Task InitializeAsync()
    {
        Server = await ZespanServer.StartAsync();
        Spans = TestData.Build(Now);
        Sessions = ExpectedSession.From(Spans);
        await TestData.IngestAsync(Server, Spans);
        Browser = await BrowserSession.LogInAsync(Server);
    }

    public Task<IPage> NewPageAsync(int width = 1280, bool loggedIn = true, bool bypassCsp = false) =>
        Browser.NewPageAsync(Server.BaseUrl, width, loggedIn, bypassCsp);

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SeededServerCollection : ICollectionFixture<SeededServerFixture>
{
    public const string Name = "seeded server";
}
