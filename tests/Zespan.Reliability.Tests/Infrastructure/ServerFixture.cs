namespace Zespan.Reliability.Tests.Infrastructure;

/// <summary>One server process per test class, over a fresh data folder removed afterwards.</summary>
public abstract class ServerFixture : IAsyncLifetime
{
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("zespan-reliability-").FullName;
    public ServerProcess Server { get; private set; } = default!;

    protected virtual IDictionary<string, string> Settings => new Dictionary<string, string>();

    public virtual async Task InitializeAsync() => Server = await ServerProcess.StartAsync(DataDirectory, Settings);

    public virtual async Task DisposeAsync()
    {
        if (Server is not null)
            await Server.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A server with the default settings.</summary>
public sealed class DefaultServer : ServerFixture;
