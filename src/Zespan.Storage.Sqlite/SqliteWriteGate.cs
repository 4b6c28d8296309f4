using System.Diagnostics;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Serialises the embedded store's write transactions. SQLite allows one writer at a time; taking turns here instead of
/// inside SQLite's busy handler keeps ingestion and retention from fighting over the file lock. It also keeps the longest
/// turn since it was last asked (<see cref="TakeLongestTurn"/>): how long one write held every other writer back, the
/// figure issue 12's long-session targets are about (bench long-session).
/// </summary>
public sealed class SqliteWriteGate
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);
    private long _longestTurnTicks;

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken = default)
    {
        await _semaphore.WaitAsync(cancellationToken);
        return new Turn(this, Stopwatch.GetTimestamp());
    }

    /// <summary>The longest turn since the previous call (zero when none ended), and starts over.</summary>
    internal TimeSpan TakeLongestTurn() => Stopwatch.GetElapsedTime(0, Interlocked.Exchange(ref _longestTurnTicks, 0));

    private sealed class Turn(SqliteWriteGate gate, long startTimestamp) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
                return;
            // Read while the turn is still held: only one turn updates the figure at a time.
            var held = Stopwatch.GetTimestamp() - startTimestamp;
            if (held > gate._longestTurnTicks)
                gate._longestTurnTicks = held;
            gate._semaphore.Release();
        }
    }
}
