using Zespan.Core.Storage;

namespace Zespan.Server.Ingestion;

/// <summary>
/// Told of spans right after the writer committed them, on the writer's loop: must only note what it needs and return
/// (work such as evaluating guard rules happens elsewhere, never delaying the next commit).
/// </summary>
public interface ICommitListener
{
    void Committed(IReadOnlyList<ProjectSpan> spans);
}
