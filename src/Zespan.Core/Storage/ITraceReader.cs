using Zespan.Core.Sessions;
using Zespan.Core.Traces;

namespace Zespan.Core.Storage;

/// <summary>Reads traces of one project.</summary>
public interface ITraceReader
{
    /// <summary>Traces newest first.</summary>
    Task<Page<TraceSummary>> ListAsync(long projectId, TraceQuery query, CancellationToken cancellationToken = default);

    /// <summary>Every span of the trace ordered by start time, or null if the project has no such trace.</summary>
    Task<TraceDetail?> GetAsync(long projectId, string traceId, CancellationToken cancellationToken = default);
}
