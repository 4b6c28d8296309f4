using Zespan.Core.Storage;
using Zespan.Server.Configuration;

namespace Zespan.Server.Cli;

/// <summary>
/// The administrative commands of the server binary (`zespan keys ...`, `zespan users ...`). They work on the same database
/// as the server (ZESPAN_DATA, or --data &lt;dir&gt;; ZESPAN_CONTROL_DB when the control plane is on PostgreSQL), whether or
/// not a server is running on it.
/// Every command answers --help (or -h) with its usage and exit code 0; a wrong command line prints the usage and exits 2.
/// </summary>
public static class CommandLine
{
    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is "keys" or "users" or "help" or "--help" or "-h";

    public static string Usage(string dataFolder) => $"""
        Usage: zespan <command> [--data <dir>]
        Commands:
        {KeysCommand.Usage}
        {UsersCommand.Usage}
          zespan help                                           this text (also --help; every command takes --help)
        The commands work on the database in ZESPAN_DATA or --data <dir> (on PostgreSQL when ZESPAN_CONTROL_DB is set),
        also while a server runs on it.
        Data folder now: {dataFolder}
        (`zespan` is scripts/zespan in a checkout, or `dotnet Zespan.Server.dll` where the server is installed.)
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var rest = args.ToList();
        var options = ZespanServerOptions.FromConfiguration(new ConfigurationBuilder().AddEnvironmentVariables().Build());
        try
        {
            if (TakeOption(rest, "--data") is { } dataDirectory)
                options.DataDirectory = Path.GetFullPath(dataDirectory);
        }
        catch (UsageException usage)
        {
            return Refuse(usage.Message, Usage(options.DataDirectory), error);
        }
        var command = rest[0];
        var wantsHelp = command is "help" or "--help" or "-h" || rest.Any(IsHelp);
        if (wantsHelp)
        {
            output.WriteLine(command switch
            {
                "keys" => "Usage:\n" + KeysCommand.Usage,
                "users" => "Usage:\n" + UsersCommand.Usage,
                _ => Usage(options.DataDirectory),
            });
            return 0;
        }
        await using var storage = await CliStorage.OpenAsync(options, error);
        if (storage is null)
            return 1;
        var commandArgs = rest.Skip(1).ToArray();
        return command switch
        {
            "keys" => await KeysCommand.RunAsync(commandArgs, storage.GetRequiredService<IProjectStore>(), output, error),
            _ => await UsersCommand.RunAsync(commandArgs, storage.GetRequiredService<IUserStore>(), output, error),
        };
    }

    internal static bool IsHelp(string arg) => arg is "--help" or "-h";

    /// <summary>Prints why the command line was not understood and the usage that fixes it; exit code 2.</summary>
    internal static int Refuse(string message, string usage, TextWriter error)
    {
        error.WriteLine(message);
        error.WriteLine(usage);
        return 2;
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

    internal static void RefuseLeftovers(List<string> args)
    {
        if (args.Count > 0)
            throw new UsageException($"Unexpected argument \"{args[0]}\".");
    }
}

/// <summary>A command line the tool cannot understand; the message says what to type instead.</summary>
public sealed class UsageException(string message) : Exception(message);
