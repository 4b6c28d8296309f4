using Zespan.Storage.Conformance;

namespace Zespan.Storage.ClickHouse.Tests;

// The storage conformance suites, run over a fresh database on the two-shard cluster.
[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseSpanWriteTests(ClickHouseCluster cluster) : SpanWriteConformance(new ClickHouseStoreFactory(cluster));
[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseTraceContextTests(ClickHouseCluster cluster) : TraceContextConformance(new ClickHouseStoreFactory(cluster));
[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseSessionListTests(ClickHouseCluster cluster) : SessionListConformance(new ClickHouseStoreFactory(cluster));
[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseSessionAnalyticsTests(ClickHouseCluster cluster) : SessionAnalyticsConformance(new ClickHouseStoreFactory(cluster));
[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseTraceTests(ClickHouseCluster cluster) : TraceConformance(new ClickHouseStoreFactory(cluster));
[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseCostTests(ClickHouseCluster cluster) : CostConformance(new ClickHouseStoreFactory(cluster));
[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseProjectTests(ClickHouseCluster cluster) : ProjectConformance(new ClickHouseStoreFactory(cluster));
[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseRandomizedTests(ClickHouseCluster cluster) : RandomizedConformance(new ClickHouseStoreFactory(cluster));
[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseRetentionTests(ClickHouseCluster cluster) : RetentionConformance(new ClickHouseStoreFactory(cluster));
[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseSessionInsightTests(ClickHouseCluster cluster) : SessionInsightConformance(new ClickHouseStoreFactory(cluster));
[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseSessionActivityTests(ClickHouseCluster cluster) : SessionActivityConformance(new ClickHouseStoreFactory(cluster));
