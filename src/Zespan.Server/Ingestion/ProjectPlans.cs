using System.Collections.Concurrent;
using Zespan.Core.Projects;
using Zespan.Core.Storage;

namespace Zespan.Server.Ingestion;

/// <summary>
/// Each project's plan for ingestion's retention-window check, remembered for a minute so a batch costs no query.
/// A longer window (an upgrade, possibly made on another server) must apply at once, so a refusal is only ever made on
/// a plan read afresh (<c>fresh: true</c>); a shorter one may take a minute to reach ingestion, and retention deletes
/// what it let through.
/// </summary>
public sealed class ProjectPlans(IProjectStore projects, IOrganizationStore organizations, TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<long, (Plan Plan, DateTimeOffset Until)> _plans = new();

    public async Task<Plan> GetAsync(long projectId, bool fresh = false, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        if (!fresh && _plans.TryGetValue(projectId, out var known) && known.Until > now)
            return known.Plan;
        var project = await projects.FindProjectAsync(projectId, cancellationToken);
        var organization = project is null ? null : await organizations.FindAsync(project.OrganizationId, cancellationToken);
        // A project always has an organisation; should it vanish mid-request, the shortest window is the safe answer.
        var plan = organization?.Plan ?? Plan.Free;
        _plans[projectId] = (plan, now + Lifetime);
        return plan;
    }
}
