using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// ClickHouse 26 in this process through libchdb (npm @chdb/lib-linux-x64-gnu), for the dialect check. The package ships
/// no header; the C API used is chdb.h's: chdb_connect(argc, argv) returns a chdb_connection* (a pointer to the handle),
/// chdb_query(handle, sql, format) a chdb_result* read with chdb_result_buffer/_length/_error and freed with
/// chdb_destroy_query_result, and chdb_close_conn(chdb_connection*) ends it. One engine per process, so one instance,
/// disposed when the process exits; disposing also deletes the engine's temporary folder.
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
    private readonly string _path;
    private readonly Lock _lock = new();
    private bool _disposed;

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
        DeleteFoldersOfEndedRuns();
        _path = Directory.CreateTempSubdirectory($"{FolderPrefix}{Environment.ProcessId}-").FullName;
        var arguments = new[] { "chdb", "--path=" + _path };
        var pointers = arguments.Select(a => Marshal.StringToCoTaskMemUTF8(a)).ToArray();
        fixed (nint* argv = pointers)
            _connection = _connect(arguments.Length, (byte**)argv);
        foreach (var p in pointers)
            Marshal.FreeCoTaskMem(p);
        if (_connection == 0)
        {
            DeleteFolder(_path);
            throw new InvalidOperationException("chdb_connect failed.");
        }
        // No test disposes the shared instance, so it is disposed on the way out. That is not always in time: the test
        // host is killed soon after its last test, at times halfway through deleting the folder; the next run's
        // DeleteFoldersOfEndedRuns removes what is left.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    private const string FolderPrefix = "zespan-chdb-";

    /// <summary>Deletes the folders (zespan-chdb-PID-*) of engines whose process has ended, best effort.</summary>
    private static void DeleteFoldersOfEndedRuns()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*-*"))
        {
            var name = Path.GetFileName(folder)[FolderPrefix.Length..];
            if (int.TryParse(name[..name.IndexOf('-')], out var pid) && !Directory.Exists($"/proc/{pid}"))
                DeleteFolder(folder);
        }
    }

    private static void DeleteFolder(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Runs one statement; returns its output, or throws with ClickHouse 26's error.</summary>
    public string Query(string sql, string format = "JSONCompact")
    {
        var sqlBytes = Encoding.UTF8.GetBytes(sql + "\0");
        var formatBytes = Encoding.UTF8.GetBytes(format + "\0");
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
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

    /// <summary>Closes the engine and deletes its temporary folder (best effort: a folder left in /tmp is harmless).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            _close(_connection);
        }
        DeleteFolder(_path);
    }

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
