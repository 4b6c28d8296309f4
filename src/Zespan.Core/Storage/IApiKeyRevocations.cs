namespace Zespan.Core.Storage;

/// <summary>
/// A number that changes whenever any API key is revoked, by this process or another one (the CLI).
/// Cheap enough to read on every request, so a key cache can stay correct without querying the key itself.
/// </summary>
public interface IApiKeyRevocations
{
    long CurrentVersion();
}
