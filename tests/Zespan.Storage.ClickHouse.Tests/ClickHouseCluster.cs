using Microsoft.Extensions.Logging.Abstractions;
using System.Diagnostics;
using Zespan.Storage.Sqlite;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// The two-shard cluster of scripts/clickhouse-cluster.sh, started once for every test class of the run (its own state
/// folder, free ports) and stopped at the end. Set ZESPAN_CLICKHOUSE_TEST_ENV to the cluster.env of a cluster you
/// started yourself to reuse it.
/// </summary>
public sealed class ClickHouseCluster : IAsyncLifetime
{
    private string? _state;

    public string Urls { get; private set; } = "";
    public string Cluster { get; private set; } = "";
    public IReadOnlyList<string> ShardUrls { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var envFile = Environment.GetEnvironmentVariable("ZESPAN_CLICKHOUSE_TEST_ENV");
        if (string.IsNullOrEmpty(envFile))
        {
            _state = Directory.CreateTempSubdirectory("zespan-ch-").FullName;
            try
            {
                await RunScriptAsync("start");
            }
            catch (InvalidOperationException first)
            {
                // One retry on fresh ports: a port taken between probe and bind, or a JVM/DDL start slower than the
                // script's wait on a busy machine, should not fail the whole suite. A second failure reports both.
                Console.Error.WriteLine(first.Message);
                await RunScriptAsync("stop");
                Directory.CreateDirectory(_state);
                await RunScriptAsync("start");
            }
            envFile = Path.Combine(_state, "cluster.env");
        }
        var values = File.ReadAllLines(envFile).Where(l => l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
        Urls = values["ZESPAN_CLICKHOUSE_URL"];
        Cluster = values["ZESPAN_CLICKHOUSE_CLUSTER"];
        ShardUrls = values["ZESPAN_CLICKHOUSE_SHARD_URLS"].Split(',');
    }

    public async Task DisposeAsync()
    {
        if (_shared is not null)
        {
            var (backend, _) = await _shared;
            await backend.DropAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(_controlFolder, recursive: true); }
            catch (IOException) { /* a leftover temp folder is harmless */ }
        }
        if (_state is not null)
            await RunScriptAsync("stop");
    }

    private readonly Lock _sharedLock = new();
    private Task<(ClickHouseBackend, SqliteStorage)>? _shared;
    private readonly string _controlFolder = Path.Combine(Path.GetTempPath(), "zespan-ch-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The run's shared telemetry database and control plane (see <see cref="ClickHouseStoreFactory"/>).</summary>
    public Task<(ClickHouseBackend Backend, SqliteStorage Control)> SharedStoresAsync()
    {
        lock (_sharedLock)
            return _shared ??= CreateSharedAsync();
    }

    private async Task<(ClickHouseBackend, SqliteStorage)> CreateSharedAsync()
    {
        var backend = await ClickHouseBackend.CreateAsync(NewDatabase());
        var control = new SqliteStorage(Path.Combine(_controlFolder, "zespan.db"), TimeProvider.System);
        await control.Database.MigrateAsync();
        return (backend, control);
    }

    /// <summary>
    /// A repair sweep over <paramref name="backend"/>, as one server runs it: its lease in the run's shared control plane
    /// (named by the backend's database, so tests of other databases never hold it).
    /// </summary>
    public async Task<SessionRowRepair> RepairAsync(ClickHouseBackend backend, TimeProvider clock)
    {
        var (_, control) = await SharedStoresAsync();
        return new SessionRowRepair(backend.Http, backend.Sql, backend.SessionRows, control.Leases, clock, NullLogger<SessionRowRepair>.Instance);
    }

    /// <summary>Settings for a fresh database on the cluster (each test gets its own).</summary>
    public ClickHouseSettings NewDatabase() =>
        ClickHouseSettings.Create(Urls, "zespan_t" + Guid.NewGuid().ToString("N")[..16], cluster: Cluster);

    /// <summary>
    /// Settings for a fresh database on the cluster, or without a cluster name on the first shard's server alone (plain
    /// local tables, as a single-server deployment has): for tests that check both layouts.
    /// </summary>
    public ClickHouseSettings NewDatabase(bool onCluster) =>
        onCluster ? NewDatabase() : ClickHouseSettings.Create(ShardUrls[0], "zespan_s" + Guid.NewGuid().ToString("N")[..16]);

    public static string RepositoryRoot()
    {
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "Zespan.slnx")))
            folder = Path.GetDirectoryName(folder) ?? throw new InvalidOperationException("Zespan.slnx not found above the test folder.");
        return folder;
    }

    private async Task RunScriptAsync(string command)
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "clickhouse-cluster.sh");
        var start = new ProcessStartInfo("bash", [script, command]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["ZESPAN_CLICKHOUSE_STATE"] = _state;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/clickhouse-cluster.sh {command} failed ({process.ExitCode}):\n{await output}\n{await error}");
    }
}

/// <summary>Every test class on the cluster shares it.</summary>
[CollectionDefinition(Name)]
public sealed class ClickHouseCollection : ICollectionFixture<ClickHouseCluster>
{
    public const string Name = "ClickHouse cluster";
}
