using Microsoft.Data.Sqlite;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Reads the revocation counter (see 020_key_revocation_version.sql) through one open connection and one prepared statement:
/// a single-row read of a few microseconds, instead of opening a pooled connection per request.
/// Each read is its own read transaction, so it sees revocations committed by any process up to that moment.
/// </summary>
public sealed class SqliteApiKeyRevocations(SqliteDatabase database) : IApiKeyRevocations, IDisposable
{
    private readonly Lock _lock = new();
    private SqliteConnection? _connection;
    private SqliteCommand? _read;

    public long CurrentVersion()
    {
        lock (_lock)
        {
            if (_read is null)
            {
                _connection = database.OpenAsync().GetAwaiter().GetResult();
                _read = _connection.Command("SELECT version FROM api_key_revocation_version WHERE id = 1");
                _read.Prepare();
            }
            return (long)(_read.ExecuteScalar() ?? 0L);
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
