using System.Text.RegularExpressions;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Where the telemetry lives: one or more HTTP endpoints of the same cluster (tried in turn on failure), the database,
/// credentials, and the cluster name for ON CLUSTER DDL (null: plain local tables on a single server).
/// </summary>
public sealed partial record ClickHouseSettings
{
    public required IReadOnlyList<Uri> Urls { get; init; }
    public string Database { get; init; } = "zespan";

    /// <summary>
    /// The telemetry this configuration reads and writes, as one name: the database and its nodes, in any order a server
    /// lists them. Servers that share it share the data, so the control plane's leases over that data (retention, the
    /// repair sweep) are named by it.
    /// </summary>
    public string DataScope => $"clickhouse:{Database}@{string.Join(",", Urls.Select(u => u.Authority).Order(StringComparer.Ordinal))}";
    public string? User { get; init; }
    public string? Password { get; init; }
    public string? Cluster { get; init; }
    /// <summary>Replicas per shard an INSERT waits for (see <see cref="InsertDurability"/>); null: every replica.</summary>
    public int? InsertQuorum { get; init; }

    /// <summary>
    /// How long ClickHouse may work on a read (max_execution_time, whole seconds) before it stops the statement itself:
    /// below the client's 60 s, so a read the server no longer waits for does not run on in ClickHouse (18.16 does not
    /// stop a statement when its client goes away) and is not sent again to the next node.
    /// </summary>
    public TimeSpan ReadLimit { get; init; } = TimeSpan.FromSeconds(50);

    /// <summary>Reads ZESPAN_CLICKHOUSE_URL (comma-separated), _DATABASE, _USER, _PASSWORD, _CLUSTER and _INSERT_QUORUM.</summary>
    public static ClickHouseSettings FromEnvironment(Func<string, string?> variable)
    {
        var urls = variable("ZESPAN_CLICKHOUSE_URL")
            ?? throw new InvalidOperationException("ZESPAN_STORAGE=clickhouse needs ZESPAN_CLICKHOUSE_URL, e.g. http://127.0.0.1:8123 (several comma-separated to fail over).");
        var settings = Create(urls, variable("ZESPAN_CLICKHOUSE_DATABASE"), variable("ZESPAN_CLICKHOUSE_USER"),
            variable("ZESPAN_CLICKHOUSE_PASSWORD"), variable("ZESPAN_CLICKHOUSE_CLUSTER"));
        if (variable("ZESPAN_CLICKHOUSE_INSERT_QUORUM") is { Length: > 0 } quorum)
        {
            if (!int.TryParse(quorum, out var replicas) || replicas < 1)
                throw new InvalidOperationException($"ZESPAN_CLICKHOUSE_INSERT_QUORUM must be a number of replicas (1 or more); it is \"{quorum}\".");
            settings = settings with { InsertQuorum = replicas };
        }
        return settings;
    }

    public static ClickHouseSettings Create(string urls, string? database = null, string? user = null, string? password = null, string? cluster = null)
    {
        var parsed = new List<Uri>();
        foreach (var part in urls.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                throw new InvalidOperationException($"ZESPAN_CLICKHOUSE_URL: \"{part}\" is not an http(s) URL; use the HTTP interface, e.g. http://127.0.0.1:8123.");
            parsed.Add(uri);
        }
        if (parsed.Count == 0)
            throw new InvalidOperationException("ZESPAN_CLICKHOUSE_URL is empty; give the HTTP interface of a node, e.g. http://127.0.0.1:8123.");
        database = string.IsNullOrWhiteSpace(database) ? "zespan" : database.Trim();
        cluster = string.IsNullOrWhiteSpace(cluster) ? null : cluster.Trim();
        // Database and cluster names go into DDL text as identifiers, so only plain names are accepted.
        if (!Identifier().IsMatch(database))
            throw new InvalidOperationException($"ZESPAN_CLICKHOUSE_DATABASE must be letters, digits and underscores; it is \"{database}\".");
        if (cluster is not null && !Identifier().IsMatch(cluster))
            throw new InvalidOperationException($"ZESPAN_CLICKHOUSE_CLUSTER must be letters, digits and underscores; it is \"{cluster}\".");
        return new ClickHouseSettings
        {
            Urls = parsed,
            Database = database,
            User = string.IsNullOrEmpty(user) ? null : user,
            Password = string.IsNullOrEmpty(password) ? null : password,
            Cluster = cluster,
        };
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
