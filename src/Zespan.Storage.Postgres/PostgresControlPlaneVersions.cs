using System.Diagnostics;
using Npgsql;
using Zespan.Core.Storage;

namespace Zespan.Storage.Postgres;

/// <summary>
/// Reads the revocation and price counters (control_versions) for every request that relies on a cache.
/// To stay cheap under load, concurrent callers share reads: a caller joins a read that started after it arrived
/// (so it still sees every change committed before its request), and otherwise waits for the read in flight to end
/// and joins or starts the next one. At most one query is in flight per server, whatever the request rate.
/// </summary>
public sealed class PostgresControlPlaneVersions(NpgsqlDataSource dataSource) : IControlPlaneVersions
{
    private readonly Lock _lock = new();
    private Task<ControlPlaneVersion>? _inFlight;
    private long _inFlightStarted;
    private long _queries;

    /// <summary>Queries sent so far (reads shared by concurrent callers count once); for measurements.</summary>
    public long QueriesIssued => Interlocked.Read(ref _queries);

    public async ValueTask<ControlPlaneVersion> ReadAsync(CancellationToken cancellationToken = default)
    {
        var arrived = Stopwatch.GetTimestamp();
        while (true)
        {
            Task<ControlPlaneVersion> read;
            bool startedAfterArrival;
            lock (_lock)
            {
                if (_inFlight is null || _inFlight.IsCompleted)
                {
                    _inFlightStarted = Stopwatch.GetTimestamp();
                    _inFlight = QueryAsync();
                }
                read = _inFlight;
                startedAfterArrival = _inFlightStarted >= arrived;
            }
            if (startedAfterArrival)
                return await read.WaitAsync(cancellationToken);
            // Started before we arrived: it may miss a change committed just before our request. Let it end, then retry.
            try { await read.WaitAsync(cancellationToken); }
            catch (Exception) when (!cancellationToken.IsCancellationRequested) { }
        }
    }

    private async Task<ControlPlaneVersion> QueryAsync()
    {
        Interlocked.Increment(ref _queries);
        await using var command = dataSource.CreateCommand(
            "SELECT (SELECT version FROM control_versions WHERE name = 'key_revocations'), (SELECT version FROM control_versions WHERE name = 'prices')");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new ControlPlaneVersion(reader.GetInt64(0), reader.GetInt64(1));
    }
}
