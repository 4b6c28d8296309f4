using Zespan.Storage.Conformance;
using Zespan.Storage.Sqlite;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// The stores over one migrated database on the two-shard cluster (replicated local tables under Distributed tables, as
/// in production) and one SQLite control plane, shared by the run: every read is scoped to a project and each test
/// writes into projects of its own, which the shared control plane numbers uniquely, so each test sees an empty store.
/// Creating a database per test costs ~6 s of ON CLUSTER DDL; sharing one keeps the suite within the CI budget.
/// </summary>
public sealed class ClickHouseStoreFactory(ClickHouseCluster cluster) : IStoreFactory
{
    public async Task<StoreUnderTest> CreateAsync()
    {
        var (backend, control) = await cluster.SharedStoresAsync();
        return new StoreUnderTest(backend.SpanWriter, backend.Sessions, backend.Traces, backend.Costs, control.Projects, control.Organizations,
            backend.Retention, sessionKinds: backend.SessionKinds, sessionActivity: backend.SessionActivity, sessionOverview: backend.SessionOverview,
            spanContent: backend.SpanContent);
    }
}

/// <summary>Every telemetry store of the backend over one database, built as the server's registration builds them.</summary>
public sealed class ClickHouseBackend
{
    public required ClickHouseHttp Http { get; init; }
    public required ClickHouseSql Sql { get; init; }
    public required ClickHouseSpanWriter SpanWriter { get; init; }
    public required ClickHouseSpanContentStore SpanContent { get; init; }
    public required ClickHouseSessionReader Sessions { get; init; }
    public required ClickHouseTraceReader Traces { get; init; }
    public required ClickHouseCostReader Costs { get; init; }
    public required ClickHouseRetentionStore Retention { get; init; }
    public required ClickHouseSessionKindReader SessionKinds { get; init; }
    public required ClickHouseSessionOverviewReader SessionOverview { get; init; }
    public required ClickHouseSessionActivityStore SessionActivity { get; init; }
    public required SessionRowKeeper SessionRows { get; init; }
    public required TraceRowKeeper TraceRows { get; init; }

    public static async Task<ClickHouseBackend> CreateAsync(ClickHouseSettings settings)
    {
        var http = new ClickHouseHttp(settings, new HttpClient { Timeout = TimeSpan.FromSeconds(120) });
        var sql = new ClickHouseSql(settings.Database);
        var versions = new RowVersions(TimeProvider.System);
        var traceRows = new TraceRowKeeper(http, sql, versions);
        var sessionRows = new SessionRowKeeper(http, sql, versions, traceRows);
        var names = new ContentSessionNames(http, sql, versions, sessionRows);
        await new ClickHouseMigrator(http, TimeProvider.System).InitializeAsync();
        return new ClickHouseBackend
        {
            Http = http,
            Sql = sql,
            SpanWriter = new ClickHouseSpanWriter(http, versions, sessionRows, new TraceContextInheritance(http, sql, versions, sessionRows), names),
            SpanContent = new ClickHouseSpanContentStore(http, versions, names),
            Sessions = new ClickHouseSessionReader(http, sql),
            Traces = new ClickHouseTraceReader(http, sql),
            Costs = new ClickHouseCostReader(http, sql),
            Retention = new ClickHouseRetentionStore(http, sql, versions, traceRows, sessionRows),
            SessionKinds = new ClickHouseSessionKindReader(http, sql),
            SessionOverview = new ClickHouseSessionOverviewReader(http, sql),
            SessionActivity = new ClickHouseSessionActivityStore(http, sql, versions, sessionRows),
            SessionRows = sessionRows,
            TraceRows = traceRows,
        };
    }

    public Task DropAsync() => DropDatabaseAsync(Http.Settings);

    /// <summary>Drops a test database (on every node of its cluster).</summary>
    public static async Task DropDatabaseAsync(ClickHouseSettings s)
    {
        using var client = new HttpClient();
        await new ClickHouseHttp(s, client).ExecuteAsync(ClickHouseSchema.DropDatabase(s.Database, s.Cluster));
    }
}
