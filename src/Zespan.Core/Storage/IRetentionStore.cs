namespace Zespan.Core.Storage;

/// <summary>
/// Removes spans that have aged out of a plan's retention window, keeping every derived figure exact:
/// the model usage rollup is reduced by what is removed, sessions and traces are recomputed from what remains,
/// and a session or trace with nothing left disappears.
/// </summary>
public interface IRetentionStore
{
    /// <summary>
    /// Names the data this store deletes from: equal for every server that sees the same spans (one shared database),
    /// different for servers with data of their own (one SQLite file each). Retention takes a lease on it.
    /// </summary>
    Task<string> DataScopeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the project's spans (and their payloads) whose start time is before <paramref name="cutoffMs"/>,
    /// in transactions of at most <paramref name="batchSize"/> spans so ingestion never waits long. Returns how many were deleted.
    /// </summary>
    Task<long> DeleteSpansStartedBeforeAsync(long projectId, long cutoffMs, int batchSize, CancellationToken cancellationToken = default);
}
