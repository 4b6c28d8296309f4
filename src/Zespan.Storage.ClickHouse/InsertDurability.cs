namespace Zespan.Storage.ClickHouse;

/// <summary>
/// What an INSERT waits for before ClickHouse answers 2xx, and so what Zespan's 2xx to a client means (docs/deploy.md).
/// On a cluster: insert_distributed_sync=1, so the rows are in each target shard's table, not queued on the node that
/// took the INSERT; and with several replicas per shard, insert_quorum = every replica by default (the safest setting:
/// a read on any replica right after the 2xx sees the rows), or ZESPAN_CLICKHOUSE_INSERT_QUORUM replicas when set lower,
/// in which case reads ask for select_sequential_consistency so they never miss a quorum-acknowledged write.
/// </summary>
public sealed record InsertDurability(int Replicas, int Quorum)
{
    /// <summary>The query string settings of an INSERT.</summary>
    public IEnumerable<string> InsertSettings()
    {
        yield return "insert_distributed_sync=1";
        if (Quorum > 1)
            yield return "insert_quorum=" + Quorum;
    }

    /// <summary>The query string settings of a read: only when a quorum smaller than all replicas lets one lag.</summary>
    public IEnumerable<string> ReadSettings()
    {
        if (Quorum > 1 && Quorum < Replicas)
            yield return "select_sequential_consistency=1";
    }

    /// <summary>The replicas per shard (the most any shard has) and the configured quorum, if any, give the settings.</summary>
    public static InsertDurability For(int replicas, int? configuredQuorum)
    {
        replicas = Math.Max(1, replicas);
        if (configuredQuorum is { } q && (q < 1 || q > replicas))
            throw new InvalidOperationException(
                $"ZESPAN_CLICKHOUSE_INSERT_QUORUM must be between 1 and the cluster's {replicas} replica(s) per shard; it is {q}.");
        return new InsertDurability(replicas, configuredQuorum ?? replicas);
    }

    /// <summary>How many replicas the cluster's largest shard has, from system.clusters.</summary>
    public const string ReplicasQuery = "SELECT toInt64(max(replica_num)) FROM system.clusters WHERE cluster = {cluster:String} FORMAT JSONCompact";
}
