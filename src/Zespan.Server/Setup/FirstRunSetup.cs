using Zespan.Core.Accounts;
using Zespan.Core.Projects;
using Zespan.Core.Storage;
using Zespan.Server.Configuration;

namespace Zespan.Server.Setup;

/// <summary>
/// What first-run setup created, for the start-up banner. Secrets appear here once and are never stored in clear.
/// <paramref name="IgnoredPresets"/>: on a later start, the presets that do not hold here, each said with its fix.
/// </summary>
public sealed record FirstRunResult(bool CreatedProject, string? NewApiKey, bool ApiKeyFromEnvironment, string? NewAdminPassword = null,
    bool AdminPasswordFromEnvironment = false, IReadOnlyList<string>? IgnoredPresets = null);

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
            return await LaterStartAsync(cancellationToken);
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

    /// <summary>
    /// The presets set only an empty data folder up. Someone who sets them again for a folder set up before (with other
    /// values, say, or after a reset) would otherwise get 401s and failed logins with nothing said at start.
    /// </summary>
    private async Task<FirstRunResult> LaterStartAsync(CancellationToken cancellationToken)
    {
        var ignored = new List<string>();
        var keyHolds = options.PresetApiKey is { } presetKey && await projects.FindLiveKeyAsync(ApiKeySecret.Hash(presetKey), cancellationToken) is not null;
        if (options.PresetApiKey is not null && !keyHolds)
            ignored.Add("ZESPAN_API_KEY is not a key of this data folder: it is used only when the folder is empty, and this one was set up "
                + "before. Use a key it has, or create one with `zespan keys create`.");
        var admin = options.PresetAdminPassword is null ? null : await users.FindByUsernameAsync(AdminUsername, cancellationToken);
        var passwordHolds = admin is not null && Auth.Passwords.Verify(admin, options.PresetAdminPassword!);
        if (options.PresetAdminPassword is not null && !passwordHolds)
            ignored.Add($"ZESPAN_ADMIN_PASSWORD is not the password of user \"{AdminUsername}\" here: it is used only when the data folder is empty. "
                + $"Log in with the password set before, or set a new one with `zespan users reset-password {AdminUsername}`.");
        return new FirstRunResult(false, null, keyHolds, AdminPasswordFromEnvironment: passwordHolds, IgnoredPresets: ignored);
    }
}
