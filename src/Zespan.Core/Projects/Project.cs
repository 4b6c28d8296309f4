namespace Zespan.Core.Projects;

/// <summary>A project: the unit every span, session, key and price belongs to.</summary>
public sealed record Project(long Id, long OrganizationId, string Name);

/// <summary>An API key as listed: never the secret, only its display prefix.</summary>
public sealed record ApiKeyInfo(long Id, long ProjectId, string Name, string DisplayPrefix, long CreatedMs, long? LastUsedMs, long? RevokedMs)
{
    public bool IsRevoked => RevokedMs is not null;
}

/// <summary>A key just created: the only moment its secret exists outside the caller's hands.</summary>
public sealed record CreatedApiKey(ApiKeyInfo Info, string Secret);
