using System.Threading.Channels;
using Zespan.Core.Ingestion;
using Zespan.Core.Pricing;
using Zespan.Core.Projects;
using Zespan.Core.Storage;
using Zespan.Storage.Sqlite;

namespace Zespan.DataGen;

/// <summary>
/// Loads generated spans straight into a Zespan data folder through the real SqliteSpanWriter, skipping only HTTP:
/// each batch is serialised to the ingest JSON and read back with the server's own BatchParser and SpanPricer, so the
/// stored rows are the ones ingestion would store. For loading millions of spans quickly; HTTP throughput is measured separately.
/// </summary>
public sealed class SqliteDirectSink(string dataDirectory)
{
    public string DatabasePath => Path.Combine(dataDirectory, "zespan.db");

    /// <summary>Creates the schema and, on an empty database, the default organisation, project and API key (as the server's first run would).</summary>
    public async Task<long> PrepareAsync(string apiKey, Plan plan)
    {
        var storage = new SqliteStorage(DatabasePath, TimeProvider.System);
        await storage.Database.MigrateAsync();
        var projects = await storage.Projects.ListProjectsAsync();
        if (projects.Count > 0)
            return projects[0].Id;
        var organization = await storage.Organizations.CreateAsync("Default", plan);
        var project = await storage.Projects.CreateProjectAsync(organization.Id, "Default");
        await storage.Projects.CreateApiKeyAsync(project.Id, "Default key", apiKey);
        return project.Id;
    }

    public async Task<long> WriteAsync(long projectId, ChannelReader<SpanBatch> batches, ProgressBar progress)
    {
        var storage = new SqliteStorage(DatabasePath, TimeProvider.System);
        var parser = new BatchParser(new SpanParser(TimeProvider.System));
        var pricer = new SpanPricer(new PriceResolver(ModelPriceTable.LoadBuiltIn()));
        var prices = await storage.Projects.GetProjectPricesAsync(projectId);

        // Parsing runs on its own thread, one batch ahead of the single SQLite writer.
        var parsed = Channel.CreateBounded<(List<ProjectSpan> Spans, int Sessions)>(4);
        var parsing = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in batches.ReadAllAsync())
                {
                    var result = parser.Parse(IngestJson.Batch(batch.Spans));
                    if (result.BodyError is not null || result.Errors.Count > 0)
                        throw new InvalidOperationException($"Generated spans were refused: {result.BodyError ?? result.Errors[0].Message}");
                    await parsed.Writer.WriteAsync((result.Spans.Select(s => new ProjectSpan(projectId, pricer.Price(s, prices).Span ?? throw new InvalidOperationException($"Generated span {s.Span.Id} was refused by the pricer."))).ToList(), batch.SessionsCompleted));
                }
                parsed.Writer.Complete();
            }
            catch (Exception ex)
            {
                parsed.Writer.Complete(ex);
            }
        });
        long written = 0;
        await foreach (var (spans, sessions) in parsed.Reader.ReadAllAsync())
        {
            await storage.SpanWriter.WriteAsync(spans);
            written += spans.Count;
            progress.Advance(sessions, spans.Count);
        }
        await parsing;
        await storage.Database.OptimizeAsync();
        return written;
    }
}
