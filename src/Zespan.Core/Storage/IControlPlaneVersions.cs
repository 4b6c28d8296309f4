namespace Zespan.Core.Storage;

/// <summary>
/// Counters of the control plane that change whenever data a server keeps in memory changes, whoever changes it
/// (this server, another server on the same database, the CLI): a revoked or deleted API key, a project's prices.
/// Read on every request that relies on a cache, so it must stay cheap (one small row, no key or price lookup).
/// </summary>
public interface IControlPlaneVersions
{
    ValueTask<ControlPlaneVersion> ReadAsync(CancellationToken cancellationToken = default);
}

/// <summary>The counters at one moment. A cached entry read under older counters is looked up again.</summary>
public readonly record struct ControlPlaneVersion(long KeyRevocations, long Prices);
