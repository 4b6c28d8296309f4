using Zespan.Server.Configuration;

namespace Zespan.Server.Cli;

/// <summary>
/// The control plane the CLI works on: the same choice as the server's (PostgreSQL when ZESPAN_CONTROL_DB is set, else
/// the SQLite file in the data folder), migrated like the server does at start.
/// </summary>
public static class CliStorage
{
    /// <summary>The control plane's services, or null (with the reason written to <paramref name="error"/>) when there is none yet.</summary>
    public static async Task<ServiceProvider?> OpenAsync(ZespanServerOptions options, TextWriter error)
    {
        if (options.ControlDatabase is null && !File.Exists(options.DatabasePath))
        {
            error.WriteLine($"No Zespan database at {options.DatabasePath}. Start the server once, or set ZESPAN_DATA to its data folder (or ZESPAN_CONTROL_DB to its PostgreSQL).");
            return null;
        }
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddZespanControlPlane(options);
        var provider = services.BuildServiceProvider();
        await provider.InitializeStorageAsync();
        return provider;
    }
}
