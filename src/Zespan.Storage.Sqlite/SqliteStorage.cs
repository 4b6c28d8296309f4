using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Every store of the embedded backend over one database file, for hosts and tests to compose. Disposing it closes the
/// span writer's open connection (<see cref="WriterConnection"/>); the pooled ones close with the pool.
/// </summary>
public sealed class SqliteStorage : IDisposable
{
    public SqliteStorage(string filePath, TimeProvider clock)
    {
        Database = new SqliteDatabase(filePath);
        WriteGate = new SqliteWriteGate();
        DeferredRebuilds = new DeferredSessionRebuilds(Database, WriteGate);
        WriterConnection = new WriterConnection(Database);
        SpanWriter = new SqliteSpanWriter(Database, WriteGate, DeferredRebuilds, WriterConnection);
        Retention = new SqliteRetentionStore(Database, WriteGate, DeferredRebuilds);
        Versions = new SqliteControlPlaneVersions(Database);
        Leases = new SqliteLeaseStore(Database, clock);
        Sessions = new SqliteSessionReader(Database);
        SessionKinds = new SqliteSessionKindReader(Database);
        Traces = new SqliteTraceReader(Database);
        Costs = new SqliteCostReader(Database);
        Projects = new SqliteProjectStore(Database, clock);
        Organizations = new SqliteOrganizationStore(Database, clock);
        Users = new SqliteUserStore(Database, clock);
        SpanContent = new SqliteSpanContentStore(Database, WriteGate, DeferredRebuilds, clock);
        SessionActivity = new SqliteSessionActivityStore(Database, WriteGate, DeferredRebuilds);
        SessionSettings = new SqliteProjectSessionSettingsStore(Database);
        SessionOverview = new SqliteSessionOverviewReader(Database);
        GramIndexer = new SessionGramIndexer(WriteGate, WriterConnection);
    }

    public SqliteDatabase Database { get; }
    /// <summary>The one turn-taking gate of every write transaction (ingestion and retention).</summary>
    public SqliteWriteGate WriteGate { get; }
    /// <summary>The span writer's own open connection (used under <see cref="WriteGate"/>), shared with the guard queue.</summary>
    internal WriterConnection WriterConnection { get; }
    /// <summary>Long sessions' rebuilds outside the writer (shared by every writer that can change a session).</summary>
    internal DeferredSessionRebuilds DeferredRebuilds { get; }
    public IRetentionStore Retention { get; }
    public IControlPlaneVersions Versions { get; }
    public ILeaseStore Leases { get; }
    public ISpanWriter SpanWriter { get; }
    public ISessionReader Sessions { get; }
    public ISessionKindReader SessionKinds { get; }
    public ITraceReader Traces { get; }
    public ICostReader Costs { get; }
    public IProjectStore Projects { get; }
    public IOrganizationStore Organizations { get; }
    public IUserStore Users { get; }
    public ISpanContentStore SpanContent { get; }
    public ISessionActivityStore SessionActivity { get; }
    public IProjectSessionSettingsStore SessionSettings { get; }
    public ISessionOverviewReader SessionOverview { get; }
    /// <summary>Fills the gram index of q= of one or two characters outside the writer (migration 350; SessionGramIndexing runs it).</summary>
    public SessionGramIndexer GramIndexer { get; }

    public void Dispose() => WriterConnection.Discard();
}
