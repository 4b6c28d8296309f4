using Zespan.Core.Storage;

namespace Zespan.Storage.Conformance;

/// <summary>
/// Every control-plane store of one backend over one fresh, empty, migrated database. <see cref="OpenAnotherAsync"/>
/// opens the same database a second time, as a second server (or the CLI) would, to check what they share.
/// </summary>
public sealed class ControlPlaneUnderTest(
    IProjectStore projects,
    IOrganizationStore organizations,
    IUserStore users,
    IControlPlaneVersions versions,
    ILeaseStore leases,
    ISetupLock setupLock,
    Func<Task<ControlPlaneUnderTest>> openAnother,
    Func<ValueTask>? cleanUp = null,
    IProjectSessionSettingsStore? sessionSettings = null) : IAsyncDisposable
{
    public IProjectStore Projects { get; } = projects;
    public IOrganizationStore Organizations { get; } = organizations;
    public IUserStore Users { get; } = users;
    public IControlPlaneVersions Versions { get; } = versions;
    public ILeaseStore Leases { get; } = leases;
    public ISetupLock SetupLock { get; } = setupLock;
    public IProjectSessionSettingsStore SessionSettings { get; } = sessionSettings ?? throw new ArgumentNullException(nameof(sessionSettings));

    /// <summary>A second, independent set of stores over the same database (its own connections and caches).</summary>
    public Task<ControlPlaneUnderTest> OpenAnotherAsync() => openAnother();

    public ValueTask DisposeAsync() => cleanUp?.Invoke() ?? ValueTask.CompletedTask;
}

/// <summary>How a backend's test project hands the control-plane suite a fresh database; each call must return an empty one.</summary>
public interface IControlPlaneFactory
{
    Task<ControlPlaneUnderTest> CreateAsync();
}
