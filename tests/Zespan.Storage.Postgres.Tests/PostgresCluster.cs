using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Zespan.Storage.Postgres.Tests;

/// <summary>
/// A private PostgreSQL cluster for this test run: initdb in a temporary folder, started with pg_ctl on a free loopback
/// port, stopped and deleted at the end. PostgreSQL refuses to run as root, so as root the cluster runs as the
/// `postgres` system user that Debian's package creates (scripts/setup.sh installs it).
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private const string Superuser = "zespan";
    private string _folder = "";
    private string _binaries = "";

    public int Port { get; private set; }

    /// <summary>A connection string to <paramref name="database"/> on this cluster.</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = Superuser, Database = database }.ConnectionString;

    public async Task InitializeAsync()
    {
        _binaries = FindBinaries();
        _folder = Directory.CreateTempSubdirectory("zespan-pg-").FullName;
        if (RunsAsRoot)
            await RunAsync("chown", ["postgres:postgres", _folder]);
        var data = Path.Combine(_folder, "data");
        await RunPostgresToolAsync("initdb", ["-D", data, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
        // PostgreSQL cannot pick a free port itself and report it, so it is given one that was free a moment before.
        // Another process's outgoing connection can take that port before PostgreSQL binds it (the suites run in
        // parallel, and the OS hands out ephemeral ports from the same range): a start that loses its port is tried
        // again on another one.
        var log = Path.Combine(_folder, "server.log");
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            var logStart = File.Exists(log) ? new FileInfo(log).Length : 0;
            // Durability settings off: this cluster lives for one test run; nothing in it must survive a crash.
            var serverOptions = $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
            try
            {
                await RunPostgresToolAsync("pg_ctl", ["-D", data, "-l", log, "-w", "-t", "60", "-o", serverOptions, "start"]);
                return;
            }
            catch (InvalidOperationException) when (attempt < StartAttempts && ReadLog(log, logStart).Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
            }
            catch (InvalidOperationException failed)
            {
                // pg_ctl only says "could not start server; examine the log output", and the log goes with the folder.
                throw new InvalidOperationException($"{failed.Message}\nserver.log:\n{ReadLog(log, logStart)}", failed);
            }
        }
    }

    private const int StartAttempts = 5;

    /// <summary>The server log from byte <paramref name="from"/> on (what one start wrote), or "" if it cannot be read.</summary>
    private static string ReadLog(string log, long from)
    {
        try
        {
            using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Min(from, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    /// <summary>Creates an empty database and returns its name.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "zespan_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection); // name: a fixed prefix and hex digits
        await command.ExecuteNonQueryAsync();
        return name;
    }

    public async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunPostgresToolAsync("pg_ctl", ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            try { Directory.Delete(_folder, recursive: true); }
            catch (IOException) { /* a leftover temp folder is harmless */ }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static bool RunsAsRoot => Environment.UserName == "root";

    private Task RunPostgresToolAsync(string tool, string[] arguments) =>
        RunsAsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_binaries, tool), .. arguments])
            : RunAsync(Path.Combine(_binaries, tool), arguments);

    private static async Task RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        // pg_ctl leaves the server running with our pipes inherited; read only until the tool itself exits.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await Completed(output)}\n{await Completed(error)}");
        }
    }

    private static async Task<string> Completed(Task<string> text) =>
        await Task.WhenAny(text, Task.Delay(1000)) == text ? await text : "";

    /// <summary>The newest installed PostgreSQL's programs (Debian: /usr/lib/postgresql/&lt;version&gt;/bin).</summary>
    private static string FindBinaries()
    {
        var root = "/usr/lib/postgresql";
        var newest = Directory.Exists(root)
            ? Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).FirstOrDefault()
            : null;
        return newest is not null ? Path.Combine(newest, "bin")
            : throw new InvalidOperationException("PostgreSQL is not installed: run scripts/setup.sh (as root) or apt-get install postgresql.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Every PostgreSQL test class shares one cluster per run.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "PostgreSQL";
}
