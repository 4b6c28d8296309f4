using System.Runtime.InteropServices;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The few SQLite C functions <see cref="RawStatement"/> calls per row, declared on the raw statement pointer. Why not
/// SQLitePCLRaw's own: its methods take the statement as a SafeHandle, which the runtime adds a reference to and releases
/// around every call (two interlocked operations and a try/finally; ~4 % of the ingesting process's CPU in perf), and its
/// text binding allocates a UTF-8 array per value. The library is e_sqlite3, the same file SQLitePCLRaw's provider
/// loads, so both talk to one SQLite. Binds and column reads neither block nor call back into managed code, so they skip
/// the GC transition; step and reset run SQL and keep it.
/// </summary>
internal static partial class NativeSqlite
{
    internal const string Library = "e_sqlite3";

    /// <summary>SQLITE_TRANSIENT: SQLite copies the bound bytes before the call returns.</summary>
    public static readonly IntPtr Transient = new(-1);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_int64"), SuppressGCTransition]
    public static partial int BindInt64(IntPtr statement, int index, long value);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_null"), SuppressGCTransition]
    public static partial int BindNull(IntPtr statement, int index);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_text"), SuppressGCTransition]
    public static partial int BindText(IntPtr statement, int index, in byte utf8, int length, IntPtr destructor);

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    public static partial int Step(IntPtr statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_reset")]
    public static partial int Reset(IntPtr statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_int64"), SuppressGCTransition]
    public static partial long ColumnInt64(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_type"), SuppressGCTransition]
    public static partial int ColumnType(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_text"), SuppressGCTransition]
    public static partial IntPtr ColumnText(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_blob"), SuppressGCTransition]
    public static partial IntPtr ColumnBlob(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_bytes"), SuppressGCTransition]
    public static partial int ColumnBytes(IntPtr statement, int column);
}
