using Zespan.Core.Storage;

namespace Zespan.Server.Ingestion;

/// <summary>
/// Told of spans right after the writer committed them and their figures are exact (after a long session's rebuild
/// outside the writer), on the writer's loop or beside it: must be thread-safe, only note what it needs and return
/// (work such as evaluating guard rules happens elsewhere, never delaying the next commit).
/// </summary>
public interface ICommitListener
{
    void Committed(IReadOnlyList<ProjectSpan> spans);
}
