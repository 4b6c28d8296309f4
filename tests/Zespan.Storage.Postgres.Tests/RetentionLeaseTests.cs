using System.Net;
using System.Text.RegularExpressions;
using Npgsql;
using Zespan.QuickStart.Tests;
using static Zespan.Storage.Postgres.Tests.ServerHelpers;

namespace Zespan.Storage.Postgres.Tests;

/// <summary>
/// Two real servers over the same spans (one data folder) and one PostgreSQL: retention runs on one of them at a time,
/// never twice over the same data, and the other takes over when the holder stops.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class RetentionLeaseTests(PostgresCluster cluster)
{
    [Fact]
    public async Task RetentionOverSharedData_RunsOnOneServer_AndMovesWhenItStops()
    {
        var database = await cluster.CreateDatabaseAsync();
        var controlDb = cluster.ConnectionString(database);
        var folder = Directory.CreateTempSubdirectory("zespan-shared-").FullName;
        var first = await StartAsync(controlDb, folder);
        var second = await StartAsync(controlDb, folder);
        var running = new List<ServerProcess> { first, second };
        try
        {
            // Ingestion refuses spans older than the plan keeps, so they are sent on Scale (365 days), and the
            // organisation then moves to Free (14 days), whose window they are beyond.
            var old = DateTimeOffset.UtcNow.AddDays(-20);
            await SetPlanAsync(controlDb, "scale");
            Assert.Equal(HttpStatusCode.OK, await IngestAsync(first, PresetKey, Enumerable.Range(0, 7).Select(i => Llm($"old-{i}", $"old-{i}", old)).ToArray()));
            await SetPlanAsync(controlDb, "free");
            Assert.True(await EventuallyAsync(() => Task.FromResult(Removed(first) + Removed(second) == 7)));
            await Task.Delay(3_000);   // several more runs on both servers: nothing may be removed twice

            Assert.Equal(7, Removed(first) + Removed(second));
            var holders = new[] { first, second }.Where(s => TookLease(s) > 0).ToList();
            var holder = Assert.Single(holders);
            var other = holder == first ? second : first;
            Assert.Equal(1, TookLease(holder));
            Assert.Equal(7, Removed(holder));
            await using (var dataSource = NpgsqlDataSource.Create(controlDb))
            await using (var lease = dataSource.CreateCommand("SELECT count(*) FROM leases WHERE name LIKE 'retention:sqlite-%'"))
                Assert.Equal(1L, await lease.ExecuteScalarAsync());

            // The holder dies without giving the lease back; the other takes over once it expires (two intervals).
            await holder.DisposeAsync();
            running.Remove(holder);
            await SetPlanAsync(controlDb, "scale");
            Assert.Equal(HttpStatusCode.OK, await IngestAsync(other, PresetKey, Enumerable.Range(0, 3).Select(i => Llm($"later-{i}", $"later-{i}", old)).ToArray()));
            await SetPlanAsync(controlDb, "free");
            Assert.True(await EventuallyAsync(() => Task.FromResult(Removed(other) == 3)), other.Output);
            Assert.Equal(1, TookLease(other));
        }
        finally
        {
            foreach (var server in running)
                await server.DisposeAsync();
            await cluster.DropDatabaseAsync(database);
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { /* a leftover temp folder is harmless */ }
        }
    }

    private static async Task SetPlanAsync(string controlDb, string plan)
    {
        await using var dataSource = NpgsqlDataSource.Create(controlDb);
        await using var update = dataSource.CreateCommand("UPDATE organizations SET plan = @plan");
        update.Parameters.AddWithValue("plan", plan);
        await update.ExecuteNonQueryAsync();
    }

    private static int Removed(ServerProcess server) =>
        RemovedLine().Matches(server.Output).Sum(m => int.Parse(m.Groups[1].Value));

    private static int TookLease(ServerProcess server) => Regex.Matches(server.Output, "now holds the lease on retention:").Count;

    [GeneratedRegex(@"Retention removed (\d+) spans")]
    private static partial Regex RemovedLine();
}
