using System.Diagnostics;
using Npgsql;
using Xunit.Abstractions;
using Zespan.Core.Projects;

namespace Zespan.Storage.Postgres.Tests;

/// <summary>The per-request counter read on PostgreSQL: shared by concurrent requests, yet never older than the request.</summary>
[Collection(PostgresCollection.Name)]
public sealed class VersionReadTests(PostgresCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task ConcurrentReads_ShareQueries_AndEachSeesRevocationsCommittedBeforeIt()
    {
        await using var store = await new PostgresControlPlaneFactory(cluster).CreateAsync();
        var organization = await store.Organizations.CreateAsync("Org", Plan.Free);
        var project = await store.Projects.CreateProjectAsync(organization.Id, "P");
        var versions = (PostgresControlPlaneVersions)store.Versions;
        const int callers = 32, readsEach = 200;

        // Revoke keys while 32 callers read; each read must show at least the revocations committed before it began.
        using var stop = new CancellationTokenSource();
        long committed = 0;
        var revoker = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var key = await store.Projects.CreateApiKeyAsync(project.Id, "k");
                await store.Projects.RevokeApiKeyAsync(project.Id, key.Info.Id);
                Interlocked.Increment(ref committed);
            }
        });
        var stale = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < readsEach; i++)
            {
                var before = Interlocked.Read(ref committed);
                if ((await versions.ReadAsync()).KeyRevocations < before)
                    Interlocked.Increment(ref stale);
            }
        })));
        var elapsed = watch.Elapsed;
        stop.Cancel();
        await revoker;

        var reads = callers * readsEach;
        output.WriteLine($"{reads} reads by {callers} concurrent callers in {elapsed.TotalMilliseconds:F0} ms: {versions.QueriesIssued} queries, " +
                         $"{elapsed.TotalMilliseconds * 1000 / reads:F1} µs per read; {Interlocked.Read(ref committed)} revocations meanwhile");
        Assert.Equal(0, stale);
        // Without sharing every read is a query. How many a query serves depends on how the two cores interleave the
        // callers' continuations with its ~0.25 ms round trip: 3,348 queries for 6,400 reads in one CI run, under the
        // half this bound was first set at; three quarters still fails when nothing is shared.
        Assert.True(versions.QueriesIssued < reads * 3 / 4, $"{versions.QueriesIssued} queries for {reads} reads");
    }
}
