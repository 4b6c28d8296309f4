using Zespan.Core.Pricing;
using Zespan.Core.Projects;

namespace Zespan.Core.Storage;

/// <summary>Projects, their API keys and their own model prices.</summary>
public interface IProjectStore
{
    Task<Project?> FindProjectAsync(long projectId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Project>> ListProjectsAsync(CancellationToken cancellationToken = default);

    Task<Project> CreateProjectAsync(long organizationId, string name, CancellationToken cancellationToken = default);

    /// <summary>Stores only the key's hash. Pass a secret to preset it (ZESPAN_API_KEY), or null to generate one.</summary>
    Task<CreatedApiKey> CreateApiKeyAsync(long projectId, string name, string? presetSecret = null, CancellationToken cancellationToken = default);

    /// <summary>The project a live (not revoked) key belongs to, by the key's hash.</summary>
    Task<(long KeyId, long ProjectId)?> FindLiveKeyAsync(byte[] keyHash, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(long projectId, CancellationToken cancellationToken = default);

    /// <summary>Revokes a key of the project; false if the project has no such key.</summary>
    Task<bool> RevokeApiKeyAsync(long projectId, long keyId, CancellationToken cancellationToken = default);

    Task TouchApiKeyAsync(long keyId, long usedMs, CancellationToken cancellationToken = default);

    Task<ModelPriceTable> GetProjectPricesAsync(long projectId, CancellationToken cancellationToken = default);

    Task SetProjectPriceAsync(long projectId, ModelPrice price, CancellationToken cancellationToken = default);

    Task<bool> DeleteProjectPriceAsync(long projectId, string model, CancellationToken cancellationToken = default);
}
