namespace Zespan.Core.Storage;

/// <summary>
/// Removes spans that have aged out of a plan's retention window, keeping every derived figure exact:
/// the model usage rollup is reduced by what is removed, sessions and traces are recomputed from what remains,
/// and a session or trace with nothing left disappears.
/// </summary>
public interface IRetentionStore
{
    /// <summary>
    /// Deletes the project's spans (and their payloads) whose start time is before <paramref name="cutoffMs"/>,
    /// in transactions of at most <paramref name="batchSize"/> spans so ingestion never waits long. Returns how many were deleted.
    /// </summary>
    Task<long> DeleteSpansStartedBeforeAsync(long projectId, long cutoffMs, int batchSize, CancellationToken cancellationToken = default);
}
