using Npgsql;
using Zespan.Core.Storage;

namespace Zespan.Storage.Postgres;

/// <summary>The set-up lock on PostgreSQL: the start-up advisory lock, held by one connection until disposed.</summary>
public sealed class PostgresSetupLock(NpgsqlDataSource dataSource) : ISetupLock
{
    public async Task<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken = default) =>
        await AdvisoryLock.AcquireAsync(dataSource, PostgresMigrator.StartupLockKey, cancellationToken);
}

/// <summary>A session advisory lock on its own connection; disposing unlocks and returns the connection to the pool.</summary>
internal sealed class AdvisoryLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly long _key;

    private AdvisoryLock(NpgsqlConnection connection, long key)
    {
        _connection = connection;
        _key = key;
    }

    public static async Task<AdvisoryLock> AcquireAsync(NpgsqlDataSource dataSource, long key, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection).With("key", key);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new AdvisoryLock(connection, key);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public NpgsqlConnection Connection => _connection;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", _connection).With("key", _key);
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            await _connection.DisposeAsync();
        }
    }
}
