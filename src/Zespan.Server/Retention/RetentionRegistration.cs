namespace Zespan.Server.Retention;

/// <summary>Registers the retention worker once, so tests can resolve it and call RunOnceAsync.</summary>
public static class RetentionRegistration
{
    public static IServiceCollection AddRetention(this IServiceCollection services)
    {
        services.AddSingleton(sp => RetentionSchedule.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<RetentionWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionWorker>());
        return services;
    }
}
