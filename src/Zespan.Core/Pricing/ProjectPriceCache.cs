using System.Collections.Concurrent;
using Zespan.Core.Storage;

namespace Zespan.Core.Pricing;

/// <summary>
/// Keeps each project's own prices in memory so pricing a span costs no query.
/// Whoever changes a project's prices must call <see cref="Invalidate"/>; the server is one process, so that is exact.
/// </summary>
public sealed class ProjectPriceCache(IProjectStore store)
{
    private readonly ConcurrentDictionary<long, Task<ModelPriceTable>> _tables = new();

    public Task<ModelPriceTable> GetAsync(long projectId) =>
        _tables.GetOrAdd(projectId, id => store.GetProjectPricesAsync(id));

    public void Invalidate(long projectId) => _tables.TryRemove(projectId, out _);
}
