using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// A session's derived name from content sent apart from its calls (OTLP log records), as from a call's own input: a
/// call without an input of its own takes the first user message of the content's input as its user text, whichever
/// arrives first. After content is stored, the calls it is for are given it; after calls are written, the content kept
/// for those without an input is looked up. Both look after their own INSERT returned, so of a call and its content
/// written at once by two servers, the later lookup finds the other.
/// </summary>
public sealed class ContentSessionNames(ClickHouseHttp http, ClickHouseSql sql, RowVersions versions, SessionRowKeeper sessionRows)
{
    private readonly StoredSpanCopies _copies = new(http, sql, versions, sessionRows);

    /// <summary>After content was stored: the stored calls it is for that lack an input take its first user message.</summary>
    public async Task ContentStoredAsync(IReadOnlyList<SpanContent> contents, CancellationToken cancellationToken)
    {
        foreach (var project in contents.GroupBy(c => c.ProjectId))
        {
            var texts = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var content in project)
            {
                if (SessionNames.FirstUserMessage(content.InputJson) is { } text)
                    texts[content.SpanId] = text;
            }
            await NameAsync(project.Key, texts, cancellationToken);
        }
    }

    /// <summary>After spans were written: the calls without an input take the first user message of content kept for them.</summary>
    public async Task SpansWrittenAsync(IReadOnlyList<ProjectSpan> spans, CancellationToken cancellationToken)
    {
        foreach (var project in spans.Where(s => s.Span.Kind == SpanKind.Llm && s.Span.InputJson is null).GroupBy(s => s.ProjectId))
        {
            var ids = project.Select(s => s.Span.Id).Distinct(StringComparer.Ordinal).ToList();
            var texts = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (id, content) in await SpanReading.ContentAsync(http, sql, project.Key, ids, cancellationToken))
            {
                if (SessionNames.FirstUserMessage(content.Input) is { } text)
                    texts[id] = text;
            }
            await NameAsync(project.Key, texts, cancellationToken);
        }
    }

    private async Task NameAsync(long projectId, Dictionary<string, string> texts, CancellationToken cancellationToken)
    {
        if (texts.Count == 0)
            return;
        var ids = texts.Keys.ToList();
        var spans = await _copies.FindAsync(projectId, ids, cancellationToken);
        await _copies.CopyAsync(projectId, sql.NamedVersions, spans, new Dictionary<string, object?> { ["user_texts"] = ids.Select(id => texts[id]).ToList() },
            givenSessions: [], cancellationToken);
    }
}
