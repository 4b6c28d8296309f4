namespace Zespan.Core.Storage;

/// <summary>
/// An exclusive lock over the control plane for one-time set-up (the first organisation, project, key and admin), so
/// servers starting together on an empty database create them once. Held briefly; released when disposed.
/// </summary>
public interface ISetupLock
{
    Task<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken = default);
}
