using Zespan.Core.Accounts;
using Zespan.Core.Projects;
using Zespan.Core.Storage;

namespace Zespan.Server.Auth;

/// <summary>A project as seen by one user: the project, its organisation and the user's role there.</summary>
public sealed record ProjectGrant(Project Project, Organization Organization, Role Role)
{
    /// <summary>Owners and members manage keys; viewers only read.</summary>
    public bool CanManageKeys => Role >= Role.Member;
}

/// <summary>
/// Decides which projects a user may see: exactly the projects of organisations they are a member of.
/// Admins manage users and plans, but see a project's data only as members of its organisation, like anyone else.
/// </summary>
public sealed class ProjectAccess(IUserStore users, IProjectStore projects, IOrganizationStore organizations)
{
    public async Task<IReadOnlyList<ProjectGrant>> GrantsOfAsync(long userId, CancellationToken cancellationToken = default)
    {
        var memberships = (await users.MembershipsAsync(userId, cancellationToken)).ToDictionary(m => m.OrganizationId, m => m.Role);
        if (memberships.Count == 0)
            return [];
        var grants = new List<ProjectGrant>();
        var organizationsById = new Dictionary<long, Organization?>();
        foreach (var project in await users.ProjectsOfAsync(userId, cancellationToken))
        {
            if (!organizationsById.TryGetValue(project.OrganizationId, out var organization))
                organizationsById[project.OrganizationId] = organization = await organizations.FindAsync(project.OrganizationId, cancellationToken);
            if (organization is not null && memberships.TryGetValue(project.OrganizationId, out var role))
                grants.Add(new ProjectGrant(project, organization, role));
        }
        return grants;
    }

    /// <summary>The user's grant on the project, or null when the user may not see it.</summary>
    public async Task<ProjectGrant?> GrantAsync(long userId, long projectId, CancellationToken cancellationToken = default)
    {
        var project = await projects.FindProjectAsync(projectId, cancellationToken);
        if (project is null)
            return null;
        var membership = (await users.MembershipsAsync(userId, cancellationToken)).FirstOrDefault(m => m.OrganizationId == project.OrganizationId);
        if (membership is null)
            return null;
        var organization = await organizations.FindAsync(project.OrganizationId, cancellationToken);
        return organization is null ? null : new ProjectGrant(project, organization, membership.Role);
    }
}
