using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using ZespanSdk;
using ZespanSdk.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

public static class ZespanServiceCollectionExtensions
{
    /// <summary>The configuration section read by <see cref="AddZespan(IServiceCollection, IConfiguration, Action{ZespanOptions}?)"/>.</summary>
    public const string ConfigurationSection = "Zespan";

    /// <summary>
    /// Registers the <see cref="ZespanTracer"/> (bound from the <c>Zespan</c> section: <c>Zespan:ApiKey</c>,
    /// <c>Zespan:BaseUrl</c>, ...; environment variables <c>ZESPAN_API_KEY</c>/<c>ZESPAN_BASE_URL</c> fill gaps),
    /// makes it the global <see cref="Zespan.Tracer"/> when the host starts, and flushes it when the host stops.
    /// </summary>
    /// <param name="configuration">The app's configuration root, or the <c>Zespan</c> section itself.</param>
    public static IServiceCollection AddZespan(
        this IServiceCollection services,
        IConfiguration configuration,
        Action<ZespanOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        IConfiguration section = configuration is IConfigurationSection { Key: ConfigurationSection }
            ? configuration
            : configuration.GetSection(ConfigurationSection);

        services.TryAddSingleton(_ =>
        {
            var options = new ZespanOptions();
            section.Bind(options);
            configure?.Invoke(options);
            return new ZespanTracer(options);
        });
        services.AddHostedService<ZespanHostedService>();
        return services;
    }
}
