using Npgsql;

namespace Zespan.Storage.Postgres.Tests;

/// <summary>Start-up against PostgreSQL: migrations applied once under the advisory lock, however many servers start together.</summary>
[Collection(PostgresCollection.Name)]
public sealed class MigrationTests(PostgresCluster cluster)
{
    [Fact]
    public async Task ServersStartingTogether_ApplyEachMigrationOnce()
    {
        var database = await cluster.CreateDatabaseAsync();
        try
        {
            var sources = Enumerable.Range(0, 6).Select(_ => NpgsqlDataSource.Create(cluster.ConnectionString(database))).ToList();
            await Task.WhenAll(sources.Select(s => new PostgresMigrator(s).InitializeAsync()));

            await using var check = sources[0].CreateCommand("SELECT count(*), count(DISTINCT version), min(version) FROM schema_migrations");
            await using var reader = await check.ExecuteReaderAsync();
            await reader.ReadAsync();
            var migrationFiles = typeof(PostgresMigrator).Assembly.GetManifestResourceNames().Count(n => n.EndsWith(".sql", StringComparison.Ordinal));
            Assert.Equal((migrationFiles, migrationFiles, 1), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2)));
            await reader.DisposeAsync();

            // A later start finds nothing to do and changes nothing.
            await new PostgresMigrator(sources[1]).InitializeAsync();
            await using var versions = sources[0].CreateCommand("SELECT count(*) FROM control_versions");
            Assert.Equal(2L, await versions.ExecuteScalarAsync());
            foreach (var source in sources)
                await source.DisposeAsync();
        }
        finally
        {
            await cluster.DropDatabaseAsync(database);
        }
    }

    [Theory]
    [InlineData("postgres://zespan:s%40cret@db.example:6543/control?sslmode=require", "db.example", 6543, "control", "zespan", "s@cret")]
    [InlineData("postgresql://app@localhost/zespan", "localhost", 5432, "zespan", "app", null)]
    [InlineData("Host=db;Port=5433;Database=zespan;Username=app;Password=pw", "db", 5433, "zespan", "app", "pw")]
    public void ControlDbSetting_AcceptsUrlsAndConnectionStrings(string setting, string host, int port, string database, string user, string? password)
    {
        var parsed = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize(setting));
        Assert.Equal((host, port, database, user, password), (parsed.Host, parsed.Port, parsed.Database, parsed.Username, parsed.Password));
    }
}
