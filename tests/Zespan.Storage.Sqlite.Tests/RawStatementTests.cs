using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>The writer's SQLitePCLRaw statements: values round-trip as parameters, and SQLite's errors surface as SqliteException.</summary>
public sealed class RawStatementTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public RawStatementTests()
    {
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT, UNIQUE (s))";
        create.ExecuteNonQuery();
    }

    [Fact]
    public void BoundValues_RoundTrip_IncludingNullsAndQuotes()
    {
        using var insert = new RawStatement(_connection, "INSERT INTO t (n, s) VALUES ($n, $s) RETURNING id");
        insert.Set("$n", (long?)null);
        insert.Set("$s", "it's \"quoted\"; DROP TABLE t; -- ünïcode");
        var id = insert.ExecuteScalarInt64();
        insert.Set("$n", 42L);
        insert.Set("$s", (string?)null);
        var second = insert.ExecuteScalarInt64();

        using var select = new RawStatement(_connection, "SELECT n, s FROM t WHERE id = $id");
        select.Set("$id", id!.Value);
        Assert.True(select.Read());
        Assert.Null(select.GetNullableInt64(0));
        Assert.Equal("it's \"quoted\"; DROP TABLE t; -- ünïcode", select.GetString(1));
        Assert.False(select.Read());
        select.Set("$id", second!.Value);
        Assert.True(select.Read());
        Assert.Equal(42, select.GetInt64(0));
        Assert.Null(select.GetNullableString(1));
        select.Reset();
    }

    [Fact]
    public void ConstraintViolation_ThrowsSqliteException_AndTheStatementRunsAgain()
    {
        using var insert = new RawStatement(_connection, "INSERT INTO t (n, s) VALUES ($n, $s)");
        insert.Set("$n", 1L);
        insert.Set("$s", "same");
        insert.Execute();
        var error = Assert.Throws<SqliteException>(insert.Execute);
        Assert.Contains("UNIQUE constraint failed: t.s", error.Message);

        insert.Set("$s", "different");
        insert.Execute();
    }

    [Fact]
    public void UnknownParameterOrBadSql_IsRefusedWithTheName()
    {
        using var insert = new RawStatement(_connection, "INSERT INTO t (n) VALUES ($n)");
        Assert.Contains("$missing", Assert.Throws<ArgumentException>(() => insert.Set("$missing", 1L)).Message);
        Assert.Contains("no such table", Assert.Throws<SqliteException>(() => new RawStatement(_connection, "SELECT * FROM nope")).Message);
    }

    public void Dispose() => _connection.Dispose();
}
