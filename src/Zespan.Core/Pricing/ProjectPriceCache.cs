using System.Collections.Concurrent;
using Zespan.Core.Storage;

namespace Zespan.Core.Pricing;

/// <summary>
/// Keeps each project's own prices in memory so pricing a span costs no price query.
/// Each entry remembers the control plane's price counter (<see cref="IControlPlaneVersions"/>) when it was read, and is
/// read again once the counter moved: a price changed on another server (or by this one) applies at the next request.
/// </summary>
public sealed class ProjectPriceCache(IProjectStore store, IControlPlaneVersions versions)
{
    private readonly ConcurrentDictionary<long, (long Version, Task<ModelPriceTable> Table)> _tables = new();

    public async Task<ModelPriceTable> GetAsync(long projectId)
    {
        var version = (await versions.ReadAsync()).Prices;
        if (_tables.TryGetValue(projectId, out var cached) && cached.Version == version && !cached.Table.IsFaulted)
            return await cached.Table;
        var entry = (version, store.GetProjectPricesAsync(projectId));
        _tables[projectId] = entry;
        return await entry.Item2;
    }

    /// <summary>Drops a project's entry at once; not needed for correctness (the counter covers it), it frees memory.</summary>
    public void Invalidate(long projectId) => _tables.TryRemove(projectId, out _);
}
