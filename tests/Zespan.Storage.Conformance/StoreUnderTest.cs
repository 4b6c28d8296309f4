using Zespan.Core.Storage;

namespace Zespan.Storage.Conformance;

/// <summary>Every store interface of one backend over one fresh, empty, migrated database.</summary>
public sealed class StoreUnderTest(
    ISpanWriter spanWriter,
    ISessionReader sessions,
    ITraceReader traces,
    ICostReader costs,
    IProjectStore projects,
    IOrganizationStore organizations,
    IRetentionStore retention,
    Func<ValueTask>? cleanUp = null,
    ISessionKindReader? sessionKinds = null,
    ISessionActivityStore? sessionActivity = null,
    ISessionOverviewReader? sessionOverview = null,
    ISpanContentStore? spanContent = null) : IAsyncDisposable
{
    public ISpanWriter SpanWriter { get; } = spanWriter;
    public ISessionReader Sessions { get; } = sessions;
    public ITraceReader Traces { get; } = traces;
    public ICostReader Costs { get; } = costs;
    public IProjectStore Projects { get; } = projects;
    public IOrganizationStore Organizations { get; } = organizations;
    public IRetentionStore Retention { get; } = retention;
    /// <summary>Sessions by kind of conversation and session-grain trends; null for a backend without them.</summary>
    public ISessionKindReader? SessionKinds { get; } = sessionKinds;
    public ISessionActivityStore SessionActivity { get; } = sessionActivity ?? throw new ArgumentNullException(nameof(sessionActivity));
    public ISessionOverviewReader SessionOverview { get; } = sessionOverview ?? throw new ArgumentNullException(nameof(sessionOverview));
    /// <summary>Content sent apart from its spans (OTLP log records).</summary>
    public ISpanContentStore SpanContent { get; } = spanContent ?? throw new ArgumentNullException(nameof(spanContent));

    public ValueTask DisposeAsync() => cleanUp?.Invoke() ?? ValueTask.CompletedTask;
}

/// <summary>How a backend's test project hands the suites a fresh store; each call must return an empty one.</summary>
public interface IStoreFactory
{
    Task<StoreUnderTest> CreateAsync();
}
