using System.Reflection;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Turns the numbered migration files into statements for this deployment. The files are written once with markers:
/// <c>${db}</c>, <c>${on_cluster}</c>, <c>${local:t}</c> (t, or t_local under a Distributed t on a cluster),
/// <c>${replacing:t:ver}</c> (ReplacingMergeTree, replicated with the {shard}/{replica} macros on a cluster) and
/// <c>${distributed:t:key}</c> (the Distributed table over t_local, sharded by key; nothing without a cluster);
/// a statement that starts with <c>${cluster_only}</c> is left out without a cluster.
/// Only the validated database and cluster names are substituted: identifiers, never values.
/// </summary>
public static class ClickHouseSchema
{
    public sealed record Migration(int Number, string Name, IReadOnlyList<string> Statements);

    public static IReadOnlyList<Migration> Migrations(string database, string? cluster)
    {
        var assembly = typeof(ClickHouseSchema).Assembly;
        const string prefix = "Zespan.Storage.ClickHouse.Migrations.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                var file = n[prefix.Length..];
                return new Migration(int.Parse(file[..file.IndexOf('_')]), file, Statements(Read(assembly, n), database, cluster));
            })
            .ToList();
    }

    /// <summary>The table that records applied migrations: replicated to every node of a cluster (one ZooKeeper path).</summary>
    public static string MigrationsTable(string database, string? cluster) => cluster is null
        ? $"CREATE TABLE IF NOT EXISTS {database}.zespan_migrations (number UInt32, applied_ms Int64) ENGINE = ReplacingMergeTree(applied_ms) ORDER BY number"
        : $"CREATE TABLE IF NOT EXISTS {database}.zespan_migrations ON CLUSTER {cluster} (number UInt32, applied_ms Int64) "
          + $"ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/zespan_migrations', '{{replica}}', applied_ms) ORDER BY number";

    public static string CreateDatabase(string database, string? cluster) =>
        $"CREATE DATABASE IF NOT EXISTS {database}{(cluster is null ? "" : " ON CLUSTER " + cluster)}";

    /// <summary>Drops a database on every node of its cluster (test and benchmark databases).</summary>
    public static string DropDatabase(string database, string? cluster) =>
        $"DROP DATABASE IF EXISTS {database}{(cluster is null ? "" : " ON CLUSTER " + cluster)}";

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A text of statements with the migration markers, expanded for this deployment (the migrations, and the bench's raw table).</summary>
    internal static IReadOnlyList<string> Statements(string text, string database, string? cluster)
    {
        var withoutComments = string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        return withoutComments.Split(';')
            .Select(s => s.Trim())
            .Where(s => cluster is not null || !s.StartsWith(ClusterOnly, StringComparison.Ordinal))
            .Select(s => Expand(s, database, cluster))
            .Where(s => s.Length > 0)
            .ToList();
    }

    /// <summary>A statement starting with this runs only on a cluster (the ALTER of a Distributed table, say).</summary>
    private const string ClusterOnly = "${cluster_only}";

    private static string Expand(string statement, string database, string? cluster)
    {
        var result = new System.Text.StringBuilder();
        var position = 0;
        while (true)
        {
            var open = statement.IndexOf("${", position, StringComparison.Ordinal);
            if (open < 0)
                break;
            var close = statement.IndexOf('}', open);
            result.Append(statement, position, open - position);
            result.Append(Marker(statement[(open + 2)..close], database, cluster));
            position = close + 1;
        }
        result.Append(statement, position, statement.Length - position);
        return result.ToString().Trim();
    }

    private static string Marker(string marker, string database, string? cluster)
    {
        var parts = marker.Split(':', 3);
        return parts[0] switch
        {
            "db" => database,
            "cluster_only" => "",
            "on_cluster" => cluster is null ? "" : "ON CLUSTER " + cluster,
            "local" => cluster is null ? parts[1] : parts[1] + "_local",
            "replacing" => cluster is null
                ? $"ReplacingMergeTree({parts[2]})"
                : $"ReplicatedReplacingMergeTree('/clickhouse/tables/{{shard}}/{database}/{parts[1]}_local', '{{replica}}', {parts[2]})",
            "distributed" => cluster is null
                ? ""
                : $"CREATE TABLE IF NOT EXISTS {database}.{parts[1]} ON CLUSTER {cluster} AS {database}.{parts[1]}_local "
                  + $"ENGINE = Distributed({cluster}, {database}, {parts[1]}_local, {parts[2]})",
            _ => throw new InvalidOperationException($"Unknown migration marker ${{{marker}}}."),
        };
    }
}
