using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>Every store of the embedded backend over one database file, for hosts and tests to compose.</summary>
public sealed class SqliteStorage
{
    public SqliteStorage(string filePath, TimeProvider clock)
    {
        Database = new SqliteDatabase(filePath);
        SpanWriter = new SqliteSpanWriter(Database);
        Sessions = new SqliteSessionReader(Database);
        Traces = new SqliteTraceReader(Database);
        Costs = new SqliteCostReader(Database);
        Projects = new SqliteProjectStore(Database, clock);
        Organizations = new SqliteOrganizationStore(Database, clock);
        Users = new SqliteUserStore(Database, clock);
    }

    public SqliteDatabase Database { get; }
    public ISpanWriter SpanWriter { get; }
    public ISessionReader Sessions { get; }
    public ITraceReader Traces { get; }
    public ICostReader Costs { get; }
    public IProjectStore Projects { get; }
    public IOrganizationStore Organizations { get; }
    public IUserStore Users { get; }
}
