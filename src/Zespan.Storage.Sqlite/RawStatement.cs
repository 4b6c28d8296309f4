using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// A prepared statement driven through SQLite's C API directly, for the ingestion hot path, the rollup walks and reads of
/// a row per session.
/// Why: Microsoft.Data.Sqlite looks every parameter up by name in SQLite on each execution (UTF-8 encoding the name and
/// scanning the statement's parameter list), allocates a data reader per call and re-checks state; for a 22-column span
/// insert run tens of thousands of times per second that overhead was larger than SQLite's own work. SQLitePCLRaw, one
/// level down, still took and released the statement's SafeHandle on every bind, step and column read and allocated a
/// UTF-8 array per text value; the writer makes ~40 such calls per span, so the calls below go to the same native
/// library (e_sqlite3, the one SQLitePCLRaw loaded) with the raw pointer (<see cref="NativeSqlite"/>), and text is
/// encoded into one reused buffer. Values are still bound as parameters (never spliced into SQL); parameter names are
/// resolved to indexes once, at prepare time. The statement runs inside whatever transaction its connection has open.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    // The pointer the native calls take; valid while _statement (which finalizes it) is alive, i.e. until Dispose.
    private readonly IntPtr _handle;
    private readonly Dictionary<string, int> _indexByName = [];
    private readonly Dictionary<string, int> _indexByReference = new(ReferenceEqualityComparer.Instance);
    // A bound on the reference cache, should a caller build its names afresh on each row.
    private const int MaxReferences = 64;
    // Text is encoded here before binding; SQLite copies it (SQLITE_TRANSIENT), so the buffer is free again at once.
    private byte[] _utf8 = new byte[256];

    public RawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle!;
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        _handle = _statement.DangerousGetHandle();
        // Positional parameters ("?", RollupUpsert's) have no name and are bound by index only.
        for (var i = 1; i <= raw.sqlite3_bind_parameter_count(_statement); i++)
        {
            if (raw.sqlite3_bind_parameter_name(_statement, i).utf8_to_string() is { } name)
                _indexByName[name] = i;
        }
    }

    /// <summary>The 1-based index of a named parameter; resolve once and bind by index.</summary>
    public int IndexOf(string name)
    {
        // Callers pass literals, so the same string object comes back each row: found by reference, the name is not hashed.
        if (_indexByReference.TryGetValue(name, out var index))
            return index;
        if (!_indexByName.TryGetValue(name, out index))
            throw new ArgumentException($"The statement has no parameter {name}.", nameof(name));
        if (_indexByReference.Count < MaxReferences)
            _indexByReference[name] = index;
        return index;
    }

    public void Set(string name, long value) => Bind(IndexOf(name), value);
    public void Set(string name, long? value) => Bind(IndexOf(name), value);
    public void Set(string name, string? value) => Bind(IndexOf(name), value);

    public void Bind(int index, long value) => Check(NativeSqlite.BindInt64(_handle, index, value));

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
        Check(value is { } v ? NativeSqlite.BindInt64(_handle, index, v) : NativeSqlite.BindNull(_handle, index));

    /// <summary>Binds a string as UTF-8 (lone surrogates become U+FFFD, as Encoding.UTF8 and SQLitePCLRaw make them).</summary>
    public void Bind(int index, string? value)
    {
        if (value is null)
        {
            Check(NativeSqlite.BindNull(_handle, index));
            return;
        }
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (length > _utf8.Length)
            length = Encoding.UTF8.GetByteCount(value);
        if (length > _utf8.Length)
            _utf8 = new byte[Math.Max(length, _utf8.Length * 2)];
        var written = Encoding.UTF8.GetBytes(value, _utf8);
        BindUtf8(index, _utf8.AsSpan(0, written));
    }

    /// <summary>Binds text already encoded as UTF-8 (SQLite copies it), sparing a string and its re-encoding.</summary>
    public void BindUtf8(int index, ReadOnlySpan<byte> utf8)
    {
        // A zero-length span may have no address; SQLite reads a NULL pointer as SQL NULL, so an empty text needs a real one.
        ReadOnlySpan<byte> empty = [0];
        Check(NativeSqlite.BindText(_handle, index, in MemoryMarshal.GetReference(utf8.IsEmpty ? empty : utf8), utf8.Length, NativeSqlite.Transient));
    }

    /// <summary>Runs the statement; returns column 0 of its first row as an integer, or null when it returned no row.</summary>
    public long? ExecuteScalarInt64()
    {
        try
        {
            var rc = NativeSqlite.Step(_handle);
            if (rc == raw.SQLITE_ROW)
                return NativeSqlite.ColumnInt64(_handle, 0);
            Check(rc);
            return null;
        }
        finally
        {
            NativeSqlite.Reset(_handle);
        }
    }

    /// <summary>
    /// Runs an INSERT without RETURNING; returns the inserted row's id, or null when it inserted no row (an ON CONFLICT
    /// DO NOTHING that met the key). Why not RETURNING: SQLite codes it as a trigger, so the statement counts as one that
    /// writes several rows and takes a statement journal (a copy of every page it changes, made and freed per run) and an
    /// ephemeral table for the returned row.
    /// </summary>
    public long? ExecuteInsert()
    {
        Execute();
        return raw.sqlite3_changes(_db) == 1 ? raw.sqlite3_last_insert_rowid(_db) : null;
    }

    /// <summary>Runs an INSERT, UPDATE or DELETE without RETURNING (see <see cref="ExecuteInsert"/>); returns the rows it changed.</summary>
    public int ExecuteChanges()
    {
        Execute();
        return raw.sqlite3_changes(_db);
    }

    /// <summary>Steps to the next row; false when there is none (then the statement is reset for its next run).</summary>
    public bool Read()
    {
        var rc = NativeSqlite.Step(_handle);
        if (rc == raw.SQLITE_ROW)
            return true;
        NativeSqlite.Reset(_handle);
        Check(rc);
        return false;
    }

    /// <summary>Ends a read before its last row.</summary>
    public void Reset() => NativeSqlite.Reset(_handle);

    public long GetInt64(int column) => NativeSqlite.ColumnInt64(_handle, column);

    public long? GetNullableInt64(int column) =>
        NativeSqlite.ColumnType(_handle, column) == raw.SQLITE_NULL ? null : NativeSqlite.ColumnInt64(_handle, column);

    public string? GetNullableString(int column)
    {
        if (NativeSqlite.ColumnType(_handle, column) == raw.SQLITE_NULL)
            return null;
        // column_text before column_bytes: the order SQLite documents, so the length is that of the UTF-8 text.
        var text = NativeSqlite.ColumnText(_handle, column);
        return Marshal.PtrToStringUTF8(text, NativeSqlite.ColumnBytes(_handle, column));
    }

    /// <summary>The column's UTF-8 bytes as SQLite holds them, valid until the next step; no string is made.</summary>
    public unsafe ReadOnlySpan<byte> GetUtf8(int column)
    {
        var blob = NativeSqlite.ColumnBlob(_handle, column);
        var length = NativeSqlite.ColumnBytes(_handle, column);
        return blob == IntPtr.Zero ? [] : new ReadOnlySpan<byte>((void*)blob, length);
    }

    public string GetString(int column) => GetNullableString(column) ?? throw new InvalidOperationException($"Column {column} is NULL.");

    public void Execute()
    {
        try
        {
            int rc;
            while ((rc = NativeSqlite.Step(_handle)) == raw.SQLITE_ROW)
            {
            }
            Check(rc);
        }
        finally
        {
            NativeSqlite.Reset(_handle);
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
            throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(_db));
    }

    public void Dispose() => _statement.Dispose();
}
