using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>Registers telemetry on ClickHouse (ZESPAN_STORAGE=clickhouse); the control plane stays SQLite or PostgreSQL.</summary>
public static class ClickHouseRegistration
{
    public static IServiceCollection AddZespanClickHouseTelemetry(this IServiceCollection services, ClickHouseSettings settings)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(settings);
        services.AddSingleton(sp => new ClickHouseHttp(settings, new HttpClient { Timeout = TimeSpan.FromSeconds(60) }));
        services.AddSingleton(new ClickHouseSql(settings.Database));
        services.AddSingleton(sp => new RowVersions(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<TraceRowKeeper>();
        services.AddSingleton<SessionRowKeeper>();
        services.AddSingleton<TraceContextInheritance>();
        services.AddSingleton<ContentSessionNames>();
        services.AddHostedService<SessionRowRepair>();
        services.AddSingleton<IStorageInitializer, ClickHouseMigrator>();
        services.AddSingleton<ISpanWriter, ClickHouseSpanWriter>();
        services.AddSingleton<ISpanContentStore, ClickHouseSpanContentStore>();
        services.AddSingleton<ISessionReader, ClickHouseSessionReader>();
        services.AddSingleton<ISessionKindReader, ClickHouseSessionKindReader>();
        services.AddSingleton<ISessionOverviewReader, ClickHouseSessionOverviewReader>();
        services.AddSingleton<ISessionActivityStore, ClickHouseSessionActivityStore>();
        services.AddSingleton<ITraceReader, ClickHouseTraceReader>();
        services.AddSingleton<ICostReader, ClickHouseCostReader>();
        services.AddSingleton<IRetentionStore, ClickHouseRetentionStore>();
        return services;
    }
}
