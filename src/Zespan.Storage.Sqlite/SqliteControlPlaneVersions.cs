using Microsoft.Data.Sqlite;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Reads the revocation and price counters (020_key_revocation_version.sql, 070_control_plane_sharing.sql) through one
/// open connection and one prepared statement: a single-row read of a few microseconds, instead of opening a pooled
/// connection per request. Each read is its own read transaction, so it sees changes committed by any process up to then.
/// </summary>
public sealed class SqliteControlPlaneVersions(SqliteDatabase database) : IControlPlaneVersions, IDisposable
{
    private readonly Lock _lock = new();
    private SqliteConnection? _connection;
    private SqliteCommand? _read;

    public ValueTask<ControlPlaneVersion> ReadAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(Read());

    public ControlPlaneVersion Read()
    {
        lock (_lock)
        {
            if (_read is null)
            {
                _connection = database.OpenAsync().GetAwaiter().GetResult();
                _read = _connection.Command(
                    "SELECT (SELECT version FROM api_key_revocation_version WHERE id = 1), (SELECT version FROM project_price_version WHERE id = 1)");
                _read.Prepare();
            }
            using var reader = _read.ExecuteReader();
            reader.Read();
            return new ControlPlaneVersion(reader.GetInt64(0), reader.GetInt64(1));
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _read?.Dispose();
            _connection?.Dispose();
            _read = null;
            _connection = null;
        }
    }
}
