using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Registers the embedded backend. Telemetry and the control plane are separate choices; when both are SQLite they share
/// one file (one <see cref="SqliteStorage"/>), migrated and optimised by one <see cref="IStorageInitializer"/>.
/// </summary>
public static class SqliteRegistration
{
    /// <summary>Spans, sessions, traces, costs and retention in the SQLite file at <paramref name="databasePath"/>.</summary>
    public static IServiceCollection AddZespanSqliteTelemetry(this IServiceCollection services, string databasePath)
    {
        services.AddSqliteFile(databasePath);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().SpanWriter);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().Sessions);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().SessionKinds);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().Traces);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().Costs);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().Retention);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().SpanContent);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().SessionActivity);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().SessionOverview);
        services.AddSingleton<Zespan.Core.Alerts.IGuardQueue>(sp => new SqliteGuardQueue(sp.GetRequiredService<SqliteStorage>()));
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().GramIndexer);
        services.AddHostedService<SessionGramIndexing>();
        return services;
    }

    /// <summary>
    /// Users, organisations, memberships, projects, keys, prices and leases in the SQLite file, and the UI's
    /// data-protection keys in <paramref name="keysDirectory"/>: everything one server (and the CLI beside it) shares.
    /// </summary>
    public static IServiceCollection AddZespanSqliteControlPlane(this IServiceCollection services, string databasePath, string keysDirectory)
    {
        services.AddSqliteFile(databasePath);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().Projects);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().SessionSettings);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().Organizations);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().Users);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().Versions);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().Leases);
        services.AddSingleton<ISetupLock>(sp => new SqliteSetupLock(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<Zespan.Core.Alerts.IAlertStore>(sp => new SqliteAlertStore(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(keysDirectory));
        return services;
    }

    private static void AddSqliteFile(this IServiceCollection services, string databasePath)
    {
        var registered = services.FirstOrDefault(d => d.ServiceType == typeof(SqliteFile))?.ImplementationInstance as SqliteFile;
        if (registered is not null)
        {
            if (registered.Path != Path.GetFullPath(databasePath))
                throw new InvalidOperationException($"Telemetry and control plane on SQLite share one file; got {registered.Path} and {databasePath}.");
            return;
        }
        services.AddSingleton(new SqliteFile(Path.GetFullPath(databasePath)));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new SqliteStorage(databasePath, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().Database);
        services.AddSingleton<IStorageInitializer, SqliteInitializer>();
    }

    private sealed record SqliteFile(string Path);
}
