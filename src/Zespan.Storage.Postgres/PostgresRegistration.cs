using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Zespan.Core.Storage;

namespace Zespan.Storage.Postgres;

/// <summary>Registers the control plane on PostgreSQL (ZESPAN_CONTROL_DB), shared by every server that names the same database.</summary>
public static class PostgresRegistration
{
    /// <summary>The data-protection application name every server shares, so their cookies are interchangeable.</summary>
    public const string ApplicationName = "Zespan";

    /// <param name="connectionString">Npgsql's "Host=...;Database=..." form or a postgres:// URL.</param>
    public static IServiceCollection AddZespanPostgresControlPlane(this IServiceCollection services, string connectionString)
    {
        var normalized = PostgresConnectionString.Normalize(connectionString);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => NpgsqlDataSource.Create(normalized));
        services.AddSingleton<IStorageInitializer, PostgresMigrator>();
        services.AddSingleton<IStorageInitializer, PostgresKeyRingInitializer>();
        services.AddSingleton<IProjectStore, PostgresProjectStore>();
        services.AddSingleton<IProjectSessionSettingsStore, PostgresProjectSessionSettingsStore>();
        services.AddSingleton<IOrganizationStore, PostgresOrganizationStore>();
        services.AddSingleton<IUserStore, PostgresUserStore>();
        services.AddSingleton<IControlPlaneVersions, PostgresControlPlaneVersions>();
        services.AddSingleton<ILeaseStore, PostgresLeaseStore>();
        services.AddSingleton<ISetupLock, PostgresSetupLock>();
        services.AddSingleton<Zespan.Core.Alerts.IAlertStore, PostgresAlertStore>();
        // The key ring in the database, and one application name: by default it is the content root path, which differs
        // between servers installed in different folders and would make their cookies unreadable to each other.
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddOptions<KeyManagementOptions>().Configure<NpgsqlDataSource>((options, dataSource) =>
            options.XmlRepository = new PostgresXmlRepository(dataSource));
        return services;
    }
}
