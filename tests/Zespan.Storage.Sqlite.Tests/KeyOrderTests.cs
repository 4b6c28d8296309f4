using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// A flush's rows are written in the order of the table's unique key (KeyOrder, RollupUpsert), read from the schema, and
/// what is written does not depend on that order.
/// </summary>
public sealed class KeyOrderTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public KeyOrderTests()
    {
        _connection.Open();
        using var create = _connection.CreateCommand();
        // The key columns are named to the upsert in another order than the key's: (kind, day) against (day, kind).
        create.CommandText = """
            CREATE TABLE by_day (day INTEGER, kind TEXT, sessions INTEGER NOT NULL, PRIMARY KEY (day, kind)) WITHOUT ROWID;
            CREATE TABLE written (id INTEGER PRIMARY KEY, kind TEXT, day INTEGER, sessions INTEGER NOT NULL, UNIQUE (day, kind));
            """;
        create.ExecuteNonQuery();
    }

    [Fact]
    public void TheOrder_IsTheUniqueKeysOverTheColumns_ReadFromTheSchema()
    {
        Assert.Equal([1, 0], KeyOrder.Of(_connection, "by_day", ["kind", "day"]));
        Assert.Equal([1, 0], KeyOrder.Of(_connection, "written", ["kind", "day"]));
        var error = Assert.Throws<InvalidOperationException>(() => KeyOrder.Of(_connection, "written", ["kind"]));
        Assert.Equal("written has no unique key over exactly (kind).", error.Message);
    }

    [Fact]
    public void Rows_AreWrittenInKeyOrder_AndAddUpAsInAnyOrder()
    {
        Flush("written", [(("b", 2), 1), (("a", 3), 2), (("é", 1), 1), (("b", 1), 4), (("Z", 2), 1)]);
        // Rowids follow the order of the inserts: by day, then by kind ordinally ("Z" < "b" < "é").
        Assert.Equal(["1 b 4", "1 é 1", "2 Z 1", "2 b 1", "3 a 2"], Rows("SELECT day || ' ' || kind || ' ' || sessions FROM written ORDER BY id"));

        // A second flush adds to the stored rows and deletes the one a negative delta empties, whatever the order given.
        Flush("written", [(("b", 2), -1), (("a", 3), 5), (("b", 1), -1)]);
        Assert.Equal(["1 b 3", "1 é 1", "2 Z 1", "3 a 7"], Rows("SELECT day || ' ' || kind || ' ' || sessions FROM written ORDER BY day, kind"));
    }

    private void Flush(string table, ((string Kind, long Day) Key, long Sessions)[] rows)
    {
        using var owner = new SessionRollupDeltas(_connection);
        var deltas = rows.ToDictionary(row => row.Key, row => row.Sessions);
        CountRows.Flush(owner, table, ["kind", "day"], deltas, (binder, key) =>
        {
            binder.Add(key.Kind);
            binder.Add(key.Day);
        });
    }

    private List<string> Rows(string sql)
    {
        using var select = _connection.CreateCommand();
        select.CommandText = sql;
        using var reader = select.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
            rows.Add(reader.GetString(0));
        return rows;
    }

    public void Dispose() => _connection.Dispose();
}
