namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>The INSERT settings behind a 2xx (docs/deploy.md): the safest the cluster supports unless configured lower.</summary>
public sealed class InsertDurabilityTests
{
    [Fact]
    public void OneReplicaPerShard_WaitsForTheShardsTables_WithoutAQuorum()
    {
        var durability = InsertDurability.For(replicas: 1, configuredQuorum: null);
        Assert.Equal(["insert_distributed_sync=1"], durability.InsertSettings());
        Assert.Empty(durability.ReadSettings());
    }

    [Fact]
    public void SeveralReplicas_WaitForEveryReplica_ByDefault()
    {
        var durability = InsertDurability.For(replicas: 3, configuredQuorum: null);
        Assert.Equal(["insert_distributed_sync=1", "insert_quorum=3"], durability.InsertSettings());
        Assert.Empty(durability.ReadSettings()); // every replica has the rows: any read sees them
    }

    [Fact]
    public void ALowerQuorum_MakesReadsSequentiallyConsistent()
    {
        var durability = InsertDurability.For(replicas: 3, configuredQuorum: 2);
        Assert.Equal(["insert_distributed_sync=1", "insert_quorum=2"], durability.InsertSettings());
        Assert.Equal(["select_sequential_consistency=1"], durability.ReadSettings());
    }

    [Fact]
    public void AQuorumAboveTheReplicas_IsRefused_NamingTheVariable()
    {
        var error = Assert.Throws<InvalidOperationException>(() => InsertDurability.For(replicas: 2, configuredQuorum: 3));
        Assert.Contains("ZESPAN_CLICKHOUSE_INSERT_QUORUM", error.Message);
    }
}
