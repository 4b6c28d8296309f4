using Zespan.Core.Accounts;
using Zespan.Core.Projects;

namespace Zespan.Core.Storage;

/// <summary>Web UI users and their organisation memberships.</summary>
public interface IUserStore
{
    Task<UserAccount> CreateAsync(string username, string passwordHash, bool isAdmin, CancellationToken cancellationToken = default);

    Task<UserAccount?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default);

    Task<UserAccount?> FindAsync(long userId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the user's password hash; false when there is no such user.</summary>
    Task<bool> SetPasswordHashAsync(long userId, string passwordHash, CancellationToken cancellationToken = default);

    Task AddMembershipAsync(long userId, long organizationId, Role role, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Membership>> MembershipsAsync(long userId, CancellationToken cancellationToken = default);

    Task<bool> RemoveMembershipAsync(long userId, long organizationId, CancellationToken cancellationToken = default);

    /// <summary>Every user, by name.</summary>
    Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Every membership of an organisation.</summary>
    Task<IReadOnlyList<Membership>> MembersOfAsync(long organizationId, CancellationToken cancellationToken = default);

    /// <summary>Every project of every organisation the user belongs to, by id.</summary>
    Task<IReadOnlyList<Project>> ProjectsOfAsync(long userId, CancellationToken cancellationToken = default);
}
