using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Applies the numbered migrations once per cluster: the applied numbers live in a table replicated to every node, and
/// each statement is idempotent (IF NOT EXISTS; an ALTER that finds its column added is done), so servers starting together at worst repeat a harmless statement.
/// On a cluster every DDL runs ON CLUSTER, which ClickHouse executes on each node through ZooKeeper.
/// </summary>
public sealed class ClickHouseMigrator(ClickHouseHttp http, TimeProvider time) : IStorageInitializer
{
    /// <summary>
    /// Migration 004 creates session_rows and 007 adds the cells of cost by model and over time: after their DDL the rows
    /// of the sessions written before are computed (again), once after every migration's DDL.
    /// </summary>
    private static readonly int[] SessionRowsMigrations = [4, 7];

    /// <summary>Migration 009 creates trace_rows: after the DDL the rows of the traces written before are computed.</summary>
    private const int TraceRowsMigration = 9;

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        var settings = http.Settings;
        await http.ExecuteAsync(ClickHouseSchema.CreateDatabase(settings.Database, settings.Cluster), cancellationToken: cancellationToken);
        await http.ExecuteAsync(ClickHouseSchema.MigrationsTable(settings.Database, settings.Cluster), cancellationToken: cancellationToken);
        var applied = (await http.QueryAsync($"SELECT number FROM {settings.Database}.zespan_migrations FORMAT JSONCompact", null, r => r[0].GetInt32(), cancellationToken))
            .ToHashSet();
        var unfilled = new List<int>();
        foreach (var migration in ClickHouseSchema.Migrations(settings.Database, settings.Cluster))
        {
            if (applied.Contains(migration.Number))
                continue;
            foreach (var statement in migration.Statements)
            {
                try
                {
                    await http.ExecuteAsync(statement, cancellationToken: cancellationToken);
                }
                catch (ClickHouseException e) when (statement.StartsWith("ALTER TABLE", StringComparison.Ordinal) && e.Message.Contains("already exists", StringComparison.Ordinal))
                {
                    // 18.16 has no ADD COLUMN IF NOT EXISTS: another server starting at the same time added it first.
                }
            }
            // Recorded after the fill: a server stopped before it fills the rows at its next start.
            if (SessionRowsMigrations.Contains(migration.Number) || migration.Number == TraceRowsMigration)
                unfilled.Add(migration.Number);
            else
                await RecordAsync(migration.Number, cancellationToken);
        }
        if (unfilled.Count > 0)
        {
            // Once, with every column of every migration in place: the recompute writes them all.
            var sql = new ClickHouseSql(settings.Database);
            var versions = new RowVersions(time);
            var traceRows = new TraceRowKeeper(http, sql, versions);
            if (unfilled.Contains(TraceRowsMigration))
                await traceRows.FillAsync(cancellationToken);
            if (unfilled.Intersect(SessionRowsMigrations).Any())
                await new SessionRowKeeper(http, sql, versions, traceRows).FillAsync(cancellationToken);
            foreach (var number in unfilled)
                await RecordAsync(number, cancellationToken);
        }
    }

    private Task RecordAsync(int number, CancellationToken cancellationToken) =>
        http.InsertAsync("zespan_migrations", [new { Number = number, AppliedMs = time.GetUtcNow().ToUnixTimeMilliseconds() }], cancellationToken);
}
