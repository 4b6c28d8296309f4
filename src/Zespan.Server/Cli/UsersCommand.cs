using Zespan.Core.Storage;
using Zespan.Server.Auth;

namespace Zespan.Server.Cli;

/// <summary>`zespan users list|reset-password`: the operator's way back in when a password is lost.</summary>
public static class UsersCommand
{
    public const string Usage = """
          zespan users list                                     list web UI users
          zespan users reset-password <user name>               set a new generated password, printed once;
                                                                the user's open logins end at their next request
        """;

    public static async Task<int> RunAsync(string[] args, IUserStore users, TextWriter output, TextWriter error)
    {
        try
        {
            var rest = args.ToList();
            var verb = rest.Count > 0 ? rest[0] : "";
            rest = rest.Skip(1).ToList();
            return verb switch
            {
                "list" => await ListAsync(rest, users, output),
                "reset-password" => await ResetPasswordAsync(rest, users, output, error),
                _ => throw new UsageException(verb.Length == 0
                    ? "Say what to do with users: list or reset-password."
                    : $"Unknown users command \"{verb}\"; it is one of list, reset-password."),
            };
        }
        catch (UsageException usage)
        {
            return CommandLine.Refuse(usage.Message, "Usage:\n" + Usage, error);
        }
    }

    private static async Task<int> ListAsync(List<string> args, IUserStore users, TextWriter output)
    {
        CommandLine.RefuseLeftovers(args);
        output.WriteLine($"{"ID",-6} {"USER",-32} ADMIN");
        foreach (var user in await users.ListAsync())
            output.WriteLine($"{user.Id,-6} {user.Username,-32} {(user.IsAdmin ? "yes" : "no")}");
        return 0;
    }

    private static async Task<int> ResetPasswordAsync(List<string> args, IUserStore users, TextWriter output, TextWriter error)
    {
        if (args.Count != 1)
            throw new UsageException("Name the user whose password to reset, for example: zespan users reset-password admin (see zespan users list).");
        var user = await users.FindByUsernameAsync(args[0]);
        if (user is null)
        {
            error.WriteLine($"There is no user named \"{args[0]}\". See zespan users list.");
            return 1;
        }
        var password = Passwords.Generate();
        await users.SetPasswordHashAsync(user.Id, Passwords.Hash(password));
        output.WriteLine($"New password for \"{user.Username}\":");
        output.WriteLine(password);
        output.WriteLine("Copy it now: it is shown only once and stored only as a hash. The user can change it under Settings → Change your password (/settings/password).");
        return 0;
    }
}
