using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// A prepared statement driven through SQLitePCLRaw directly, for the ingestion hot path and reads of a row per session.
/// Why: Microsoft.Data.Sqlite looks every parameter up by name in SQLite on each execution (UTF-8 encoding the name and
/// scanning the statement's parameter list), allocates a data reader per call and re-checks state; for a 22-column span
/// insert run tens of thousands of times per second that overhead was larger than SQLite's own work. Values are still
/// bound as parameters (never spliced into SQL); parameter names are resolved to indexes once, at prepare time.
/// The statement runs inside whatever transaction its connection has open.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly Dictionary<string, int> _indexByName = [];

    public RawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle!;
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        for (var i = 1; i <= raw.sqlite3_bind_parameter_count(_statement); i++)
            _indexByName[raw.sqlite3_bind_parameter_name(_statement, i).utf8_to_string()] = i;
    }

    /// <summary>The 1-based index of a named parameter; resolve once and bind by index.</summary>
    public int IndexOf(string name) =>
        _indexByName.TryGetValue(name, out var index) ? index : throw new ArgumentException($"The statement has no parameter {name}.", nameof(name));

    public void Set(string name, long value) => Bind(IndexOf(name), value);
    public void Set(string name, long? value) => Bind(IndexOf(name), value);
    public void Set(string name, string? value) => Bind(IndexOf(name), value);

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    /// <summary>
    /// Binds the parameters a <see cref="SqliteCommand"/> was given (SessionSql.AppendFilter writes its filter that way),
    /// so a long read built like any other query can be stepped here without the data reader's per-row cost.
    /// </summary>
    public void BindAll(SqliteParameterCollection parameters)
    {
        foreach (SqliteParameter parameter in parameters)
        {
            var index = IndexOf(parameter.ParameterName);
            Check(parameter.Value switch
            {
                null or DBNull => raw.sqlite3_bind_null(_statement, index),
                long v => raw.sqlite3_bind_int64(_statement, index, v),
                int v => raw.sqlite3_bind_int64(_statement, index, v),
                bool v => raw.sqlite3_bind_int64(_statement, index, v ? 1 : 0),
                double v => raw.sqlite3_bind_double(_statement, index, v),
                string v => raw.sqlite3_bind_text(_statement, index, v),
                var other => throw new NotSupportedException($"Parameter {parameter.ParameterName} is a {other.GetType().Name}."),
            });
        }
    }

    public void Bind(int index, long? value) =>
        Check(value is { } v ? raw.sqlite3_bind_int64(_statement, index, v) : raw.sqlite3_bind_null(_statement, index));

    public void Bind(int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(_statement, index) : raw.sqlite3_bind_text(_statement, index, value));

    /// <summary>Binds text already encoded as UTF-8 (SQLite copies it), sparing a string and its re-encoding.</summary>
    public void BindUtf8(int index, ReadOnlySpan<byte> utf8) => Check(raw.sqlite3_bind_text(_statement, index, utf8));

    /// <summary>Runs the statement; returns column 0 of its first row as an integer, or null when it returned no row.</summary>
    public long? ExecuteScalarInt64()
    {
        try
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_ROW)
                return raw.sqlite3_column_int64(_statement, 0);
            Check(rc);
            return null;
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Steps to the next row; false when there is none (then the statement is reset for its next run).</summary>
    public bool Read()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
            return true;
        raw.sqlite3_reset(_statement);
        Check(rc);
        return false;
    }

    /// <summary>Ends a read before its last row.</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    public long GetInt64(int column) => raw.sqlite3_column_int64(_statement, column);

    public long? GetNullableInt64(int column) =>
        raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL ? null : raw.sqlite3_column_int64(_statement, column);

    public string? GetNullableString(int column) =>
        raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL ? null : raw.sqlite3_column_text(_statement, column).utf8_to_string();

    /// <summary>The column's UTF-8 bytes as SQLite holds them, valid until the next step; no string is made.</summary>
    public ReadOnlySpan<byte> GetUtf8(int column) => raw.sqlite3_column_blob(_statement, column);

    public string GetString(int column) => GetNullableString(column) ?? throw new InvalidOperationException($"Column {column} is NULL.");

    public void Execute()
    {
        try
        {
            int rc;
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
            }
            Check(rc);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
            throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(_db));
    }

    public void Dispose() => _statement.Dispose();
}
