using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The writer's raw statements (RawStatement over NativeSqlite): values round-trip as parameters, text is stored byte for
/// byte as Microsoft.Data.Sqlite stores it, and SQLite's errors surface as SqliteException.
/// </summary>
public sealed class RawStatementTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public RawStatementTests()
    {
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT, UNIQUE (s)); CREATE TABLE texts (n INTEGER, s TEXT)";
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

    public static TheoryData<string> Texts => new()
    {
        "",                                  // empty text, not NULL
        "plain",
        "ünïcode, 漢字 and 🙂 (a surrogate pair)",
        "a lone surrogate \ud800 here",       // stored as U+FFFD by both bindings
        "an embedded \0 NUL",
        new string('x', 255) + "é",          // crosses the first buffer's size on the last character
        string.Concat(Enumerable.Repeat("🙂ü", 40_000)), // far past it: the buffer grows
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Text_IsStoredByteForByte_AsMicrosoftDataSqliteStoresIt(string text)
    {
        using (var raw = new RawStatement(_connection, "INSERT INTO texts (n, s) VALUES (1, $s)"))
        {
            raw.Set("$s", text);
            raw.Execute();
        }
        using (var reference = _connection.CreateCommand())
        {
            reference.CommandText = "INSERT INTO texts (n, s) VALUES (2, $s)";
            reference.Parameters.AddWithValue("$s", text);
            reference.ExecuteNonQuery();
        }
        using var compare = new RawStatement(_connection,
            "SELECT typeof(a.s), hex(a.s), hex(b.s), length(CAST(a.s AS BLOB)), a.s FROM texts a, texts b WHERE a.n = 1 AND b.n = 2");
        Assert.True(compare.Read());
        Assert.Equal("text", compare.GetString(0));
        Assert.Equal(compare.GetString(2), compare.GetString(1));
        Assert.Equal(System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(text)), compare.GetString(4));
        Assert.Equal(compare.GetInt64(3), compare.GetUtf8(4).Length);
        compare.Reset();
    }

    [Fact]
    public void SeveralTextParameters_OfOneRow_KeepTheirOwnValues()
    {
        // SQLite must copy each bound text: the statement encodes every value into the same buffer.
        using var select = new RawStatement(_connection, "SELECT $a, $b, $c, $d");
        select.Set("$a", "first");
        select.Set("$b", "second, longer");
        select.Set("$c", "");
        select.BindUtf8(select.IndexOf("$d"), default); // an empty span with no address is still empty text, not NULL
        Assert.True(select.Read());
        Assert.Equal(["first", "second, longer", "", ""], [select.GetString(0), select.GetString(1), select.GetString(2), select.GetString(3)]);
        select.Reset();
    }

    [Fact]
    public void ParameterNames_BuiltAfresh_BindByName_NotByTheObject()
    {
        using var select = new RawStatement(_connection, "SELECT $a, $b");
        for (var i = 0; i < 200; i++) // past the reference cache's bound
        {
            select.Set(new string("$b".AsSpan()), i);
            select.Set(string.Concat("$", "a"), -i);
            Assert.True(select.Read());
            Assert.Equal((-i, i), (select.GetInt64(0), select.GetInt64(1)));
            select.Reset();
        }
    }

    public void Dispose() => _connection.Dispose();
}
