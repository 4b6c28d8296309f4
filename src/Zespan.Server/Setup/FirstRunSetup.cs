using Zespan.Core.Accounts;
using Zespan.Core.Projects;
using Zespan.Core.Storage;
using Zespan.Server.Configuration;

namespace Zespan.Server.Setup;

/// <summary>What first-run setup created, for the start-up banner. Secrets appear here once and are never stored in clear.</summary>
public sealed record FirstRunResult(bool CreatedProject, string? NewApiKey, bool ApiKeyFromEnvironment, string? NewAdminPassword = null, bool AdminPasswordFromEnvironment = false);

/// <summary>
/// On an empty control plane: creates the default organisation, project and API key. A preset ZESPAN_API_KEY is used as that key,
/// so scripts and containers know it in advance; otherwise a random key is generated and shown once.
/// </summary>
public sealed class FirstRunSetup(
    IOrganizationStore organizations, IProjectStore projects, IUserStore users, ISetupLock setupLock, ZespanServerOptions options)
{
    public const string AdminUsername = "admin";

    public async Task<FirstRunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        // Servers starting together on one empty PostgreSQL take turns, so only the first creates (and prints) these.
        await using var _ = await setupLock.AcquireAsync(cancellationToken);
        if ((await projects.ListProjectsAsync(cancellationToken)).Count > 0)
            return new FirstRunResult(false, null, false);
        if (options.PresetApiKey is { } preset && !ApiKeySecret.LooksValid(preset))
            throw new InvalidOperationException(
                $"ZESPAN_API_KEY must start with \"{ApiKeySecret.Prefix}\" and be at least {ApiKeySecret.MinLength} printable characters long.");

        var organization = await organizations.CreateAsync("Default", options.InitialPlan, cancellationToken);
        var project = await projects.CreateProjectAsync(organization.Id, "Default", cancellationToken);
        var key = await projects.CreateApiKeyAsync(project.Id, "Default key", options.PresetApiKey, cancellationToken);

        var password = options.PresetAdminPassword ?? Auth.Passwords.Generate();
        var admin = await users.CreateAsync(AdminUsername, Auth.Passwords.Hash(password), isAdmin: true, cancellationToken);
        await users.AddMembershipAsync(admin.Id, organization.Id, Role.Owner, cancellationToken);
        return new FirstRunResult(true, options.PresetApiKey is null ? key.Secret : null, options.PresetApiKey is not null,
            options.PresetAdminPassword is null ? password : null, options.PresetAdminPassword is not null);
    }
}
