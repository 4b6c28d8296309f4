using Zespan.Core.Alerts;
using Zespan.Server.Ingestion;

namespace Zespan.Server.Alerts;

/// <summary>Wires the runaway guard: rule evaluation after each commit and the webhook dispatcher.</summary>
public static class AlertRegistration
{
    public static IServiceCollection AddZespanAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(AlertOptions.FromConfiguration(configuration));
        services.AddSingleton<WebhookTargets>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<DeliveryWakeUp>();
        services.AddSingleton<ISessionAnomalySource, DetectorAnomalySource>();
        services.AddSingleton<GuardEvaluator>();
        services.AddSingleton<ICommitListener>(sp => sp.GetRequiredService<GuardEvaluator>());
        services.AddHostedService(sp => sp.GetRequiredService<GuardEvaluator>());
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return services;
    }
}
