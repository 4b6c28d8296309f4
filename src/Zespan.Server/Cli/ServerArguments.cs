namespace Zespan.Server.Cli;

/// <summary>
/// The arguments of a server start (no command): host settings only, as <c>--key value</c>, <c>--key=value</c>,
/// <c>/key value</c> or <c>key=value</c>. Anything else was ignored and the server started anyway: `zespan bogus` served
/// on port 5080, and `--data` without a value took the next argument (`--urls`) as its value.
/// </summary>
public static class ServerArguments
{
    /// <summary>Why <paramref name="args"/> cannot start the server, or null.</summary>
    public static string? Problem(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg.StartsWith('-') || arg.StartsWith('/'))
            {
                if (arg.Contains('='))
                    continue;
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--"))
                    return $"\"{arg}\" needs a value, e.g. --urls http://0.0.0.0:8080.";
                i++;
                continue;
            }
            if (!arg.Contains('='))
                return $"\"{arg}\" is not a command. Commands come first (zespan keys …, zespan users …, zespan help); "
                    + "to run the server give none, only settings such as --urls http://0.0.0.0:8080.";
        }
        return null;
    }
}
