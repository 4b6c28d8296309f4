using Zespan.Core.Storage;
using Zespan.Storage.ClickHouse;
using Zespan.Storage.Postgres;
using Zespan.Storage.Sqlite;

namespace Zespan.Server.Configuration;

/// <summary>
/// Chooses the storage backends: the control plane (users, organisations, projects, keys, prices, leases, the login key
/// ring) and telemetry (spans, sessions, traces, costs, retention) are separate choices. Each backend registers itself;
/// this is the one place that names them, so a new backend is its own project plus one line here.
/// </summary>
public static class StorageRegistration
{
    /// <summary>ZESPAN_STORAGE values and how each registers its telemetry stores.</summary>
    private static readonly Dictionary<string, Action<IServiceCollection, ZespanServerOptions>> TelemetryBackends = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sqlite"] = (services, options) => services.AddZespanSqliteTelemetry(options.DatabasePath),
        ["clickhouse"] = (services, _) => services.AddZespanClickHouseTelemetry(ClickHouseSettings.FromEnvironment(Environment.GetEnvironmentVariable)),
    };

    public static IServiceCollection AddZespanStorage(this IServiceCollection services, ZespanServerOptions options)
    {
        services.AddZespanControlPlane(options);
        if (!TelemetryBackends.TryGetValue(options.TelemetryStorage, out var addTelemetry))
            throw new InvalidOperationException(
                $"ZESPAN_STORAGE must be one of {string.Join(", ", TelemetryBackends.Keys)}; it is \"{options.TelemetryStorage}\".");
        addTelemetry(services, options);
        return services;
    }

    /// <summary>The control plane alone, for the CLI: PostgreSQL when ZESPAN_CONTROL_DB is set, else the embedded file.</summary>
    public static IServiceCollection AddZespanControlPlane(this IServiceCollection services, ZespanServerOptions options) =>
        options.ControlDatabase is { } connectionString
            ? services.AddZespanPostgresControlPlane(connectionString)
            : services.AddZespanSqliteControlPlane(options.DatabasePath, Path.Combine(options.DataDirectory, "keys"));

    /// <summary>Runs every backend's start-up work (migrations, statistics, the key ring) in registration order.</summary>
    public static async Task InitializeStorageAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        foreach (var initializer in services.GetServices<IStorageInitializer>())
            await initializer.InitializeAsync(cancellationToken);
    }
}
