using Zespan.Server.Configuration;
using Zespan.Core.Storage;

namespace Zespan.Server.Cli;

/// <summary>
/// The administrative commands of the server binary (`zespan keys ...`). They work on the same database as the server
/// (ZESPAN_DATA, or --data &lt;dir&gt;; ZESPAN_CONTROL_DB when the control plane is on PostgreSQL), whether or not a server is running on it.
/// </summary>
public static class CommandLine
{
    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is "keys" or "help" or "--help";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args[0] is "help" or "--help")
        {
            output.WriteLine(KeysCommand.Usage);
            return 0;
        }
        var rest = args.ToList();
        var dataDirectory = TakeOption(rest, "--data");
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var options = ZespanServerOptions.FromConfiguration(configuration);
        if (dataDirectory is not null)
            options.DataDirectory = Path.GetFullPath(dataDirectory);
        await using var storage = await CliStorage.OpenAsync(options, error);
        if (storage is null)
            return 1;
        return await KeysCommand.RunAsync(rest.Skip(1).ToArray(), storage.GetRequiredService<IProjectStore>(), output, error);
    }

    /// <summary>Removes "--name value" from the arguments and returns the value, or null when the option is absent.</summary>
    internal static string? TakeOption(List<string> args, string name)
    {
        var index = args.IndexOf(name);
        if (index < 0)
            return null;
        if (index == args.Count - 1)
            throw new UsageException($"{name} needs a value.");
        var value = args[index + 1];
        args.RemoveRange(index, 2);
        return value;
    }
}

/// <summary>A command line the tool cannot understand; the message says what to type instead.</summary>
public sealed class UsageException(string message) : Exception(message);
