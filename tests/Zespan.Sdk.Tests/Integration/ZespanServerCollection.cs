using ZespanSdk.Tests.Fakes;
using ZespanSdk.Tests.Infrastructure;

namespace ZespanSdk.Tests.Integration;

/// <summary>
/// One real Zespan server process and one fake OpenAI server for all integration tests. The tests run one at a
/// time because some use the process-wide tracer from Zespan.Init and the ZESPAN_* environment variables.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ZespanServerCollection : ICollectionFixture<ZespanServerFixture>
{
    public const string Name = "Real Zespan server";
}

public sealed class ZespanServerFixture : IAsyncLifetime
{
    public ZespanServerProcess Server { get; private set; } = null!;
    public FakeOpenAIServer OpenAI { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        OpenAI = await FakeOpenAIServer.StartAsync();
        Server = await ZespanServerProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await OpenAI.DisposeAsync();
    }

    public ZespanOptions Options(Action<ZespanOptions>? configure = null)
    {
        var options = new ZespanOptions
        {
            ApiKey = ZespanServerProcess.ApiKey,
            BaseUrl = Server.BaseUrl.ToString(),
            FlushInterval = TimeSpan.FromMilliseconds(100),
            InitialRetryDelay = TimeSpan.FromMilliseconds(100),
            MaxRetryDelay = TimeSpan.FromSeconds(1),
            MaxRetries = 60,
        };
        configure?.Invoke(options);
        return options;
    }
}
