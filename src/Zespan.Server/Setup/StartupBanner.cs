using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Zespan.Server.Configuration;

namespace Zespan.Server.Setup;

/// <summary>Tells the person who started the server where it listens, where the data lives and, on first run, the API key.</summary>
public static class StartupBanner
{
    public static void PrintWhenStarted(WebApplication app, FirstRunResult firstRun, ZespanServerOptions options)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var lines = new List<string>
            {
                "",
                "  Zespan is running",
                $"  Web UI and API:  {string.Join(", ", addresses)}",
                $"  Data:            {options.DatabasePath}",
            };
            // On ClickHouse the spans are there; the file above keeps what else this server keeps (the control plane
            // unless PostgreSQL has it, and the UI's login keys).
            if (app.Services.GetService<Zespan.Storage.ClickHouse.ClickHouseSettings>() is { } clickHouse)
                lines.Add($"  Telemetry:       ClickHouse {string.Join(", ", clickHouse.Urls.Select(u => u.Authority))}, database {clickHouse.Database}"
                    + (clickHouse.Cluster is { } cluster ? $", cluster {cluster}" : ""));
            if (options.ControlDatabase is { } controlDatabase)
                lines.Add($"  Control plane:   {Zespan.Storage.Postgres.PostgresConnectionString.Describe(controlDatabase)}");
            if (firstRun.NewAdminPassword is { } password)
                lines.Add($"  Log in:          user \"{FirstRunSetup.AdminUsername}\", password {password}   (shown once)");
            else if (firstRun.AdminPasswordFromEnvironment)
                lines.Add($"  Log in:          user \"{FirstRunSetup.AdminUsername}\", password from ZESPAN_ADMIN_PASSWORD");
            if (firstRun.NewApiKey is { } key)
                lines.Add($"  API key:         {key}   (shown once; it is stored only as a hash)");
            else if (firstRun.ApiKeyFromEnvironment)
                lines.Add("  API key:         the value of ZESPAN_API_KEY");
            else
                lines.Add("  API key:         created on first start; create more with `zespan keys create`");
            foreach (var ignored in firstRun.IgnoredPresets ?? [])
                lines.Add($"  Not applied:     {ignored}");
            lines.Add("");
            Console.WriteLine(string.Join(Environment.NewLine, lines));
        });
    }
}
