using Zespan.Core.Projects;

namespace Zespan.Core.Storage;

/// <summary>Organisations and their plans.</summary>
public interface IOrganizationStore
{
    Task<Organization> CreateAsync(string name, Plan plan, CancellationToken cancellationToken = default);

    Task<Organization?> FindAsync(long organizationId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Organization>> ListAsync(CancellationToken cancellationToken = default);

    Task<bool> SetPlanAsync(long organizationId, Plan plan, CancellationToken cancellationToken = default);
}
