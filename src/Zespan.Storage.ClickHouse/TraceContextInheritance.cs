using Zespan.Core.Spans;
using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// Session and user along a trace for spans marked <see cref="SpanRecord.InheritsTraceContext"/> (OTLP), as on SQLite: a
/// span without them takes its nearest ancestor's, and an ancestor that arrives after its descendants passes its own
/// down to them, so the figures do not depend on the order spans arrive in (exporters send children first).
/// <para>
/// Before the INSERT, <see cref="ResolveAsync"/> takes each span's context from its ancestors in the same write, and
/// from the stored parent where the chain leaves it. After it, <see cref="PassDownAsync"/> lists the spans still
/// lacking some under their parent (spans_awaiting_context, migration 011), then passes each of the write's contexts
/// down to the stored spans waiting under it and under them in one round: the waiting tree is read level by level (one
/// small read each), each span's context worked out from its own and its parent's, and one statement writes a new
/// version of every span that gains something (<see cref="ClickHouseSql.InheritedVersions"/>), recomputed once as a
/// re-send that moves spans into their sessions is.
/// </para>
/// <para>
/// Several servers: a child and its parent written at once by two servers each look the other up after their own
/// INSERTs returned — the child's writer its parent (again), the parent's writer the spans waiting under it — so the
/// later of the two lookups sees the earlier write, and the child gets the context either way (both may pass it: the
/// same values, written twice).
/// </para>
/// </summary>
public sealed class TraceContextInheritance(ClickHouseHttp http, ClickHouseSql sql, RowVersions versions, SessionRowKeeper sessionRows)
{
    private readonly StoredSpanCopies _copies = new(http, sql, versions, sessionRows);

    /// <summary>A span's session and user; null where it has none.</summary>
    internal readonly record struct Context(string? SessionId, string? UserId)
    {
        public bool IsComplete => SessionId is not null && UserId is not null;

        public bool IsEmpty => SessionId is null && UserId is null;

        /// <summary>This context with what it lacks taken from <paramref name="ancestor"/>.</summary>
        public Context FilledFrom(Context ancestor) => new(SessionId ?? ancestor.SessionId, UserId ?? ancestor.UserId);

        public static Context Of(SpanRecord span) => new(span.SessionId, span.UserId);
    }

    /// <summary>A span that takes context from its parent: marked, with a parent, lacking a session or a user.</summary>
    private static bool Inherits(SpanRecord span) => span.InheritsTraceContext && span.ParentId is not null && !Context.Of(span).IsComplete;

    /// <summary>The spans with the session and user they take from their ancestors in the write, or from the stored parent.</summary>
    public async Task<IReadOnlyList<ProjectSpan>> ResolveAsync(IReadOnlyList<ProjectSpan> spans, CancellationToken cancellationToken)
    {
        if (!spans.Any(s => Inherits(s.Span)))
            return spans;
        var resolved = new List<ProjectSpan>(spans.Count);
        foreach (var project in spans.GroupBy(s => s.ProjectId))
        {
            var batch = project.Select(s => s.Span).ToList();
            var inWrite = LastOfEach(batch);
            var storedParents = batch.Where(Inherits).Select(s => s.ParentId!).Where(p => !inWrite.ContainsKey(p)).Distinct(StringComparer.Ordinal).ToList();
            var stored = await ContextsAsync(project.Key, storedParents, cancellationToken);
            var contexts = Resolve(inWrite, stored);
            resolved.AddRange(batch.Select(s => new ProjectSpan(project.Key, contexts.TryGetValue(s.Id, out var c) ? s with { SessionId = c.SessionId, UserId = c.UserId } : s)));
        }
        return resolved;
    }

    /// <summary>
    /// The context of every span of the write that inherits, from its ancestors in the write (<paramref name="inWrite"/>:
    /// each id's last version, as the write stores it) and, where the chain leaves the write, the stored ones given.
    /// Walked without recursion (a request can hold a chain of thousands of spans); a cycle of parents ends where it
    /// comes back.
    /// </summary>
    private static Dictionary<string, Context> Resolve(Dictionary<string, SpanRecord> inWrite, IReadOnlyDictionary<string, Context> stored)
    {
        var result = new Dictionary<string, Context>(StringComparer.Ordinal);
        var chain = new List<SpanRecord>();
        var onChain = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in inWrite.Values.Where(Inherits))
        {
            if (result.ContainsKey(start.Id))
                continue;
            chain.Clear();
            onChain.Clear();
            // Up from the span while its ancestors in the write inherit too, to the first context known above them.
            Context? above = null;
            var span = start;
            while (true)
            {
                chain.Add(span);
                onChain.Add(span.Id);
                var parentId = span.ParentId!;
                if (result.TryGetValue(parentId, out var known))
                    above = known;
                else if (!inWrite.TryGetValue(parentId, out var parent))
                    above = stored.TryGetValue(parentId, out var storedContext) ? storedContext : null;
                else if (!Inherits(parent))
                    above = Context.Of(parent);
                else if (!onChain.Contains(parent.Id))
                {
                    span = parent;
                    continue;
                }
                break;
            }
            for (var i = chain.Count - 1; i >= 0; i--)
            {
                var own = Context.Of(chain[i]);
                var context = above is { } ancestor ? own.FilledFrom(ancestor) : own;
                result[chain[i].Id] = context;
                above = context;
            }
        }
        return result;
    }

    private static Dictionary<string, SpanRecord> LastOfEach(IReadOnlyList<SpanRecord> batch)
    {
        var byId = new Dictionary<string, SpanRecord>(StringComparer.Ordinal);
        foreach (var span in batch)
            byId[span.Id] = span;
        return byId;
    }

    /// <summary>
    /// After the write's INSERT and recompute: lists its spans that still lack context under their parents, then passes
    /// every context the write holds or finds down to the stored spans waiting under it, and on down their descendants.
    /// </summary>
    public async Task PassDownAsync(IReadOnlyList<ProjectSpan> spans, CancellationToken cancellationToken)
    {
        if (!spans.Any(s => s.Span.InheritsTraceContext))
            return;
        foreach (var project in spans.GroupBy(s => s.ProjectId))
        {
            var projectId = project.Key;
            var inWrite = LastOfEach(project.Select(s => s.Span).ToList());
            var batch = inWrite.Values.ToList();
            var waiting = batch.Where(Inherits).ToList();
            if (waiting.Count > 0)
            {
                var version = versions.Next();
                await http.InsertAsync("spans_awaiting_context", waiting.Select(s => new AwaitingRow(projectId, s.ParentId!, s.Id, version)).ToList(), cancellationToken);
            }
            var sources = batch.Where(s => s.InheritsTraceContext && !Context.Of(s).IsEmpty).ToDictionary(s => s.Id, Context.Of, StringComparer.Ordinal);
            // Looked up again now that the spans wait: a parent another server wrote meanwhile did not find them. (A parent
            // in this write has none to give: its own waits under its parent, looked up in turn.)
            var parents = waiting.Select(s => s.ParentId!).Where(p => !inWrite.ContainsKey(p)).Distinct(StringComparer.Ordinal).ToList();
            foreach (var (id, context) in await ContextsAsync(projectId, parents, cancellationToken))
                if (!context.IsEmpty)
                    sources[id] = context;
            await PassDownFromAsync(projectId, sources, cancellationToken);
        }
    }

    /// <summary>
    /// How many levels of stored descendants one write passes context down to. Each level is one read of the waiting
    /// spans, so a hostile chain of spans sent one request each, then its root, would otherwise hold that request for a
    /// read per span of the chain; traces that agents and frameworks send are a few levels deep. Spans further down keep
    /// waiting (docs/deploy.md, "Trace context").
    /// </summary>
    public const int MaxLevelsPerWrite = 64;

    /// <summary>
    /// Passes each source's context to the spans waiting under it, theirs to the spans under them, and so on, in one
    /// round: the waiting tree is read first, level by level; each live span of it takes what it lacks from its parent's
    /// context (its own values kept, and passed on); one statement writes every span that gains something.
    /// </summary>
    private async Task PassDownFromAsync(long projectId, Dictionary<string, Context> sources, CancellationToken cancellationToken)
    {
        var tree = await WaitingTreeAsync(projectId, sources.Keys, cancellationToken);
        if (tree.Count == 0)
            return;
        var spans = await _copies.FindAsync(projectId, tree.Select(t => t.Span).ToList(), cancellationToken);
        var own = ContextsOf(await _copies.ReadAsync(projectId, spans, cancellationToken));
        var contexts = new Dictionary<string, Context>(sources, StringComparer.Ordinal);
        var given = new Dictionary<string, Context>(StringComparer.Ordinal);
        // Parents before children (the tree is in level order); a span not stored or deleted passes nothing on.
        foreach (var (parent, span) in tree)
        {
            if (!own.TryGetValue(span, out var its) || !contexts.TryGetValue(parent, out var above))
                continue;
            var filled = its.FilledFrom(above);
            contexts[span] = filled;
            if (filled != its)
                given[span] = above;
        }
        if (given.Count == 0)
            return;
        var ids = given.Keys.ToList();
        var inherited = new Dictionary<string, object?>
        {
            ["inherit_sessions"] = ids.Select(id => given[id].SessionId ?? "").ToList(), ["inherit_users"] = ids.Select(id => given[id].UserId ?? "").ToList(),
        };
        var givenSessions = given.Values.Select(c => c.SessionId).OfType<string>().Distinct(StringComparer.Ordinal);
        await _copies.CopyAsync(projectId, sql.InheritedVersions, spans.Only(ids), inherited, givenSessions, cancellationToken);
    }

    /// <summary>
    /// The spans waiting under <paramref name="roots"/> and under them, at most <see cref="MaxLevelsPerWrite"/> levels
    /// down, as (parent, span) in level order. A span re-sent under another parent waits under both: the first listed
    /// gives; a cycle ends where it comes back.
    /// </summary>
    private async Task<List<(string Parent, string Span)>> WaitingTreeAsync(long projectId, IEnumerable<string> roots, CancellationToken cancellationToken)
    {
        var tree = new List<(string Parent, string Span)>();
        var seen = new HashSet<string>(roots, StringComparer.Ordinal);
        var level = seen.ToList();
        for (var depth = 0; depth < MaxLevelsPerWrite && level.Count > 0; depth++)
        {
            var children = await http.QueryAsync(sql.AwaitingChildren, new Dictionary<string, object?> { ["project"] = projectId, ["ids"] = level },
                r => (Parent: r[0].Text(), Span: r[1].Text()), cancellationToken);
            level = [];
            foreach (var (parent, span) in children)
            {
                if (!seen.Add(span))
                    continue;
                tree.Add((parent, span));
                level.Add(span);
            }
        }
        return tree;
    }

    /// <summary>The stored context of each live span of <paramref name="ids"/> that has a version.</summary>
    private async Task<Dictionary<string, Context>> ContextsAsync(long projectId, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        ContextsOf(await _copies.ReadAsync(projectId, ids, cancellationToken));

    private static Dictionary<string, Context> ContextsOf(IEnumerable<StoredSpanCopies.Stored> stored) =>
        stored.ToDictionary(c => c.SpanId, c => new Context(c.SessionId, c.UserId), StringComparer.Ordinal);

    /// <summary>A row of spans_awaiting_context.</summary>
    private sealed record AwaitingRow(long ProjectId, string ParentId, string SpanId, ulong Version);
}
