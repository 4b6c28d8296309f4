using Zespan.Core.Sessions;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Applies a project's idle gap threshold to its session rows. Each batch of sessions is recomputed from their calls in
/// its own transaction under the write gate, so ingestion waits for at most one batch; the progress is stored, so a
/// restart resumes. New spans written meanwhile already use the new threshold.
/// </summary>
public sealed class SqliteSessionActivityStore(SqliteDatabase database, SqliteWriteGate writeGate, DeferredSessionRebuilds rebuilds) : ISessionActivityStore
{
    private const int SessionsPerBatch = 500;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public async Task<(long IdleGapMs, bool Complete)> AppliedIdleGapAsync(long projectId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT idle_gap_ms, recompute_after IS NULL FROM session_idle_thresholds WHERE project_id = $p").With("$p", projectId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1) == 1) : (SessionActivity.DefaultIdleGapMs, true);
    }

    public async Task<long> ApplyIdleGapAsync(long projectId, long idleGapMs, CancellationToken cancellationToken = default)
    {
        if (SessionActivity.Validate(idleGapMs) is { } error)
            throw new ArgumentOutOfRangeException(nameof(idleGapMs), error);
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var (applied, complete) = await AppliedIdleGapAsync(projectId, cancellationToken);
            if (applied == idleGapMs && complete)
                return 0;
            using (await writeGate.EnterAsync(cancellationToken))
            {
                await using var connection = await database.OpenAsync(cancellationToken);
                // A different threshold starts over; the same one, interrupted, resumes where it stopped.
                await using var record = connection.Command("""
                    INSERT INTO session_idle_thresholds (project_id, idle_gap_ms, recompute_after) VALUES ($p, $ms, '')
                    ON CONFLICT (project_id) DO UPDATE SET
                        recompute_after = CASE WHEN idle_gap_ms = excluded.idle_gap_ms THEN coalesce(recompute_after, '') ELSE '' END,
                        idle_gap_ms = excluded.idle_gap_ms
                    """).With("$p", projectId).With("$ms", idleGapMs);
                await record.ExecuteNonQueryAsync(cancellationToken);
                rebuilds.TouchProject(projectId); // a stale session computed with the old threshold is rebuilt with the new one
            }
            long recomputed = 0;
            while (true)
            {
                using (await writeGate.EnterAsync(cancellationToken))
                {
                    var (done, count) = await RecomputeBatchAsync(projectId, idleGapMs, cancellationToken);
                    recomputed += count;
                    if (done)
                        return recomputed;
                }
            }
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Recomputes the next sessions after the stored position; true when none is left (the threshold is then complete).</summary>
    private async Task<(bool Done, int Count)> RecomputeBatchAsync(long projectId, long idleGapMs, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction(deferred: false);
        string after;
        using (var position = connection.Command("SELECT recompute_after FROM session_idle_thresholds WHERE project_id = $p", transaction).With("$p", projectId))
            after = position.ExecuteScalar() as string ?? "";
        var sessions = new List<string>(SessionsPerBatch);
        using (var next = connection.Command(
            "SELECT session_id FROM sessions WHERE project_id = $p AND session_id > $after ORDER BY session_id LIMIT $n", transaction)
            .With("$p", projectId).With("$after", after).With("$n", SessionsPerBatch))
        using (var reader = next.ExecuteReader())
        {
            while (reader.Read())
                sessions.Add(reader.GetString(0));
        }
        // The active-time bands (migration 201) follow each row, as the writer's do.
        using (var rollups = new SessionRollupDeltas(connection))
        {
            foreach (var sessionId in sessions)
            {
                var before = rollups.Read(projectId, sessionId)!;
                SessionActivityRows.RecomputeActivity(connection, transaction, projectId, sessionId, idleGapMs);
                rollups.MoveActiveTime(projectId, before, rollups.Read(projectId, sessionId)!);
            }
            rollups.Flush();
        }
        var done = sessions.Count < SessionsPerBatch;
        using (var progress = connection.Command("UPDATE session_idle_thresholds SET recompute_after = $after WHERE project_id = $p", transaction)
            .With("$p", projectId).With("$after", done ? null : sessions[^1]))
            progress.ExecuteNonQuery();
        transaction.Commit();
        return (done, sessions.Count);
    }
}
