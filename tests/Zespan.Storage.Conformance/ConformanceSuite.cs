using Zespan.Core.Projects;
using Zespan.Core.Spans;
using Zespan.Core.Storage;

namespace Zespan.Storage.Conformance;

/// <summary>Base of every suite: a fresh store per test with one organisation and one project to write into.</summary>
public abstract class ConformanceSuite(IStoreFactory factory) : IAsyncLifetime
{
    protected StoreUnderTest Store { get; private set; } = null!;
    protected long ProjectId { get; private set; }

    public async Task InitializeAsync()
    {
        Store = await factory.CreateAsync();
        ProjectId = await NewProjectAsync("Conformance");
    }

    public async Task DisposeAsync() => await Store.DisposeAsync();

    protected async Task<long> NewProjectAsync(string name)
    {
        var organization = await Store.Organizations.CreateAsync(name + " org", Plan.Free);
        return (await Store.Projects.CreateProjectAsync(organization.Id, name)).Id;
    }

    protected Task WriteAsync(params SpanRecord[] spans) => WriteAsync(ProjectId, spans);

    protected Task WriteAsync(long projectId, IEnumerable<SpanRecord> spans) =>
        Store.SpanWriter.WriteAsync(spans.Select(s => new ProjectSpan(projectId, s)).ToList());
}
