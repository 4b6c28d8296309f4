using System.Globalization;
using Zespan.Core.Projects;
using Zespan.Core.Spans;
using Zespan.Core.Storage;

namespace Zespan.Server.Cli;

/// <summary>`zespan keys create|list|revoke`: the same key management as the settings page, for scripts and terminals.</summary>
public static class KeysCommand
{
    public const string Usage = """
          zespan keys create [--project <id>] --name <name>     create an API key; its secret is printed once
          zespan keys list [--project <id>]                     list API keys (never their secrets)
          zespan keys revoke <key id>                           revoke a key; refused at once, also by a running server
                                                                (--project may be left out when there is one project)
        """;

    public static async Task<int> RunAsync(string[] args, IProjectStore projects, TextWriter output, TextWriter error)
    {
        try
        {
            var rest = args.ToList();
            var verb = rest.Count > 0 ? rest[0] : "";
            rest = rest.Skip(1).ToList();
            return verb switch
            {
                "create" => await CreateAsync(rest, projects, output),
                "list" => await ListAsync(rest, projects, output),
                "revoke" => await RevokeAsync(rest, projects, output, error),
                _ => throw new UsageException(verb.Length == 0
                    ? "Say what to do with keys: create, list or revoke."
                    : $"Unknown keys command \"{verb}\"; it is one of create, list, revoke."),
            };
        }
        catch (UsageException usage)
        {
            return CommandLine.Refuse(usage.Message, "Usage:\n" + Usage, error);
        }
    }

    private static async Task<int> CreateAsync(List<string> args, IProjectStore projects, TextWriter output)
    {
        var projectText = CommandLine.TakeOption(args, "--project");
        var name = CommandLine.TakeOption(args, "--name") ?? throw new UsageException("Give the key a name with --name, for example --name \"production\".");
        CommandLine.RefuseLeftovers(args);
        if (Zespan.Core.Projects.ApiKeyName.Problem(name) is { } problem)
            throw new UsageException(problem);
        var project = await ProjectAsync(projectText, projects);
        var created = await projects.CreateApiKeyAsync(project.Id, name.Trim());
        output.WriteLine($"Created API key {created.Info.Id} \"{created.Info.Name}\" for project {project.Id} ({project.Name}):");
        output.WriteLine(created.Secret);
        output.WriteLine("Copy it now: it is shown only once and stored only as a hash.");
        return 0;
    }

    private static async Task<int> ListAsync(List<string> args, IProjectStore projects, TextWriter output)
    {
        var projectText = CommandLine.TakeOption(args, "--project");
        CommandLine.RefuseLeftovers(args);
        var chosen = projectText is null ? await projects.ListProjectsAsync() : [await ProjectAsync(projectText, projects)];
        output.WriteLine($"{"ID",-6} {"PROJECT",-8} {"NAME",-24} {"KEY",-14} {"CREATED",-25} {"LAST USED",-25} STATUS");
        foreach (var project in chosen)
        {
            foreach (var key in await projects.ListApiKeysAsync(project.Id))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{key.Id,-6} {key.ProjectId,-8} {key.Name,-24} {key.DisplayPrefix,-14} {Timestamps.Format(key.CreatedMs),-25} {(key.LastUsedMs is { } used ? Timestamps.Format(used) : "never"),-25} {(key.IsRevoked ? "revoked " + Timestamps.Format(key.RevokedMs!.Value) : "active")}"));
            }
        }
        return 0;
    }

    private static async Task<int> RevokeAsync(List<string> args, IProjectStore projects, TextWriter output, TextWriter error)
    {
        if (args.Count != 1 || !long.TryParse(args[0], out var keyId))
            throw new UsageException("Name the key to revoke by its id, for example: zespan keys revoke 3 (see zespan keys list).");
        foreach (var project in await projects.ListProjectsAsync())
        {
            var key = (await projects.ListApiKeysAsync(project.Id)).FirstOrDefault(k => k.Id == keyId);
            if (key is null)
                continue;
            await projects.RevokeApiKeyAsync(project.Id, keyId);
            output.WriteLine($"Revoked API key {key.Id} \"{key.Name}\" of project {project.Id} ({project.Name}). It is refused from now on, also by a running server.");
            return 0;
        }
        error.WriteLine($"There is no API key with id {keyId}. See zespan keys list.");
        return 1;
    }

    private static async Task<Project> ProjectAsync(string? projectText, IProjectStore projects)
    {
        if (projectText is null)
        {
            var all = await projects.ListProjectsAsync();
            return all.Count == 1 ? all[0] : throw new UsageException(
                $"There are {all.Count} projects; choose one with --project <id> ({string.Join(", ", all.Select(p => $"{p.Id} = {p.Name}"))}).");
        }
        if (!long.TryParse(projectText, out var projectId))
            throw new UsageException($"--project takes a project id (a number); got \"{projectText}\".");
        return await projects.FindProjectAsync(projectId) ?? throw new UsageException($"There is no project with id {projectId}.");
    }

}
