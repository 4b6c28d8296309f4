using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// ClickHouse 26 in this process through libchdb (npm @chdb/lib-linux-x64-gnu), for the dialect check. The package ships
/// no header; the C API used is chdb.h's: chdb_connect(argc, argv) returns a chdb_connection* (a pointer to the handle),
/// chdb_query(handle, sql, format) a chdb_result* read with chdb_result_buffer/_length/_error and freed with
/// chdb_destroy_query_result, and chdb_close_conn(chdb_connection*) ends it. One engine per process, so one instance.
/// </summary>
public sealed unsafe class Chdb : IDisposable
{
    private static readonly Lazy<Chdb> Shared = new(() => new Chdb());

    private readonly delegate* unmanaged<int, byte**, nint> _connect;
    private readonly delegate* unmanaged<nint, void> _close;
    private readonly delegate* unmanaged<nint, byte*, byte*, nint> _query;
    private readonly delegate* unmanaged<nint, byte*> _buffer;
    private readonly delegate* unmanaged<nint, nuint> _length;
    private readonly delegate* unmanaged<nint, byte*> _error;
    private readonly delegate* unmanaged<nint, void> _destroy;
    private readonly nint _connection;
    private readonly Lock _lock = new();

    public static Chdb Instance => Shared.Value;

    private Chdb()
    {
        var library = NativeLibrary.Load(LibraryPath());
        _connect = (delegate* unmanaged<int, byte**, nint>)NativeLibrary.GetExport(library, "chdb_connect");
        _close = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(library, "chdb_close_conn");
        _query = (delegate* unmanaged<nint, byte*, byte*, nint>)NativeLibrary.GetExport(library, "chdb_query");
        _buffer = (delegate* unmanaged<nint, byte*>)NativeLibrary.GetExport(library, "chdb_result_buffer");
        _length = (delegate* unmanaged<nint, nuint>)NativeLibrary.GetExport(library, "chdb_result_length");
        _error = (delegate* unmanaged<nint, byte*>)NativeLibrary.GetExport(library, "chdb_result_error");
        _destroy = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(library, "chdb_destroy_query_result");
        var path = Directory.CreateTempSubdirectory("zespan-chdb-").FullName;
        var arguments = new[] { "chdb", "--path=" + path };
        var pointers = arguments.Select(a => Marshal.StringToCoTaskMemUTF8(a)).ToArray();
        fixed (nint* argv = pointers)
            _connection = _connect(arguments.Length, (byte**)argv);
        foreach (var p in pointers)
            Marshal.FreeCoTaskMem(p);
        if (_connection == 0)
            throw new InvalidOperationException("chdb_connect failed.");
    }

    /// <summary>Runs one statement; returns its output, or throws with ClickHouse 26's error.</summary>
    public string Query(string sql, string format = "JSONCompact")
    {
        var sqlBytes = Encoding.UTF8.GetBytes(sql + "\0");
        var formatBytes = Encoding.UTF8.GetBytes(format + "\0");
        lock (_lock)
        {
            nint result;
            fixed (byte* s = sqlBytes, f = formatBytes)
                result = _query(*(nint*)_connection, s, f);
            try
            {
                var error = _error(result);
                if (error != null)
                    throw new ClickHouseException("ClickHouse 26 (libchdb) refused the statement: " + Marshal.PtrToStringUTF8((nint)error));
                var length = (int)_length(result);
                return length == 0 ? "" : Encoding.UTF8.GetString(_buffer(result), length);
            }
            finally
            {
                _destroy(result);
            }
        }
    }

    public void Dispose() => _close(_connection);

    /// <summary>libchdb.so from the npm package, installed once by scripts/install-chdb.sh (which scripts/setup.sh runs).</summary>
    public static string LibraryPath()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            throw new PlatformNotSupportedException("libchdb from npm is published for Linux x64 only; the dialect check runs there (CI does).");
        var script = Path.Combine(ClickHouseCluster.RepositoryRoot(), "scripts", "install-chdb.sh");
        var start = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var install = Process.Start(start)!;
        var error = install.StandardError.ReadToEndAsync();
        var output = install.StandardOutput.ReadToEnd();
        install.WaitForExit();
        var library = output.Trim().Split('\n').LastOrDefault() ?? "";
        if (install.ExitCode != 0 || !File.Exists(library))
            throw new InvalidOperationException($"scripts/install-chdb.sh failed ({install.ExitCode}): {error.Result}");
        return library;
    }
}
