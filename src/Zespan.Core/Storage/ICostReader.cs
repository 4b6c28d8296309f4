using Zespan.Core.Costs;

namespace Zespan.Core.Storage;

/// <summary>Reads LLM cost of one project by model and over time, by span start time.</summary>
public interface ICostReader
{
    Task<IReadOnlyList<ModelCost>> ByModelAsync(long projectId, TimeRange range, CancellationToken cancellationToken = default);

    /// <summary>Cost per bucket of <paramref name="bucketMs"/> (an hour or a day) across the range, empty buckets included.</summary>
    Task<IReadOnlyList<CostBucket>> OverTimeAsync(long projectId, TimeRange range, long bucketMs, CancellationToken cancellationToken = default);
}
