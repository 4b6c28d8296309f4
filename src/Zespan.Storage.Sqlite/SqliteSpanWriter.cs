using Microsoft.Data.Sqlite;
using Zespan.Core.Spans;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Writes spans in one transaction per call and keeps sessions, traces and hourly model usage exact.
/// A span id seen before replaces the stored span: its old usage is subtracted from the hourly rollup and its old and new
/// session and trace are rebuilt from the remaining spans, so duplicates, retries and corrections never double count.
/// A re-sent span identical to the stored one changes nothing and costs one lookup, however long its session. A long
/// session's rebuild runs outside the writer (DeferredSessionRebuilds); the call returns once it is written.
/// </summary>
public sealed class SqliteSpanWriter : ISpanWriter
{
    /// <summary>Planner statistics are refreshed after this many spans, so they follow the data as it grows.</summary>
    private const long SpansBetweenOptimize = 250_000;
    private readonly SqliteWriteGate _writeGate;
    private readonly DeferredSessionRebuilds _rebuilds;
    private readonly WriterConnection _writer;
    private readonly WalCheckpointer _checkpointer;
    private long _spansSinceOptimize;

    internal SqliteSpanWriter(SqliteDatabase database, SqliteWriteGate writeGate, DeferredSessionRebuilds rebuilds, WriterConnection writer)
    {
        _writeGate = writeGate;
        _rebuilds = rebuilds;
        _writer = writer;
        _checkpointer = new WalCheckpointer(database);
    }

    public async Task WriteAsync(IReadOnlyList<ProjectSpan> spans, CancellationToken cancellationToken = default) =>
        await await WriteCommittedAsync(spans, cancellationToken);

    /// <summary>Commits the spans; the task returned finishes the long sessions' rebuilds, on the thread pool.</summary>
    public async Task<Task> WriteCommittedAsync(IReadOnlyList<ProjectSpan> spans, CancellationToken cancellationToken = default)
    {
        if (spans.Count == 0)
            return Task.CompletedTask;
        DeferredSessionRebuilds.Snapshot? deferred;
        // SQLite has one writer at a time; the gate (shared with retention) avoids busy-waiting inside SQLite.
        using (await _writeGate.EnterAsync(cancellationToken))
        {
            // Always the same open connection, so its page cache (the index pages of the last groups) stays warm.
            var connection = await _writer.GetAsync(cancellationToken);
            var tickets = new List<DeferredSessionRebuilds.Ticket>();
            try
            {
                WriteInTransaction(connection, spans, _rebuilds, tickets);
            }
            catch
            {
                _writer.Discard();
                throw;
            }
            _rebuilds.OrphansCommitted();
            deferred = await _rebuilds.BeginAsync(tickets);
            _checkpointer.AfterCommit(); // the commit is durable already; copying its pages into the file can happen beside us
            _spansSinceOptimize += spans.Count;
            if (_spansSinceOptimize >= SpansBetweenOptimize)
            {
                _spansSinceOptimize = 0;
                await SqliteDatabase.OptimizeAsync(connection, cancellationToken);
            }
        }
        // Computing the sessions is a pass over their calls: on the pool, so the caller can go on (ingestion's next batch).
        return deferred is null ? Task.CompletedTask : Task.Run(() => _rebuilds.CompleteAsync(deferred));
    }

    /// <summary>The background checkpointer of this writer's WAL (see WalCheckpointer).</summary>
    internal WalCheckpointer Checkpointer => _checkpointer;

    /// <summary>The writer's own connection, for benchmarks that read its page counters.</summary>
    internal WriterConnection Connection => _writer;

    private static void WriteInTransaction(SqliteConnection connection, IReadOnlyList<ProjectSpan> spans, DeferredSessionRebuilds rebuilds,
        List<DeferredSessionRebuilds.Ticket> deferred)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using var statements = new SpanWriteStatements(connection);
        using var inheritance = new TraceContextInheritance(connection, transaction);
        var sessionsToRebuild = new HashSet<(long, string)>();
        var tracesToRebuild = new HashSet<(long, string)>();
        var aggregates = new PendingAggregates();
        using var rollups = new SessionRollupDeltas(connection);
        using var sumOnly = new SumOnlyReplacement(connection);
        using var links = new TraceSpanLinks(connection);
        using var traceModels = new TraceModels(connection, rollups);
        var names = new WrittenSessionNames();
        var passedDown = new HashSet<(long, string)>();
        rebuilds.RebuildOrphans(connection, transaction, rollups);
        var keptContent = SpanContentStatements.ForWritten(connection, transaction, spans);

        foreach (var (projectId, sent) in spans)
        {
            var span = inheritance.FromStoredParent(projectId, sent);
            if (keptContent.TryGetValue((projectId, span.Id), out var content))
                span = SpanContentStatements.WithContent(span, content);
            names.Written(projectId, span);
            if (statements.TryInsertSpan(projectId, span) is { } rowId)
                AddNew(statements, aggregates, links, rowId, projectId, span);
            else
            {
                var existing = statements.FindExisting(projectId, span.Id)!;
                if (!statements.IsUnchanged(projectId, span)) // an unchanged re-send (an SDK retry) is already counted
                {
                    Replace(statements, aggregates, sumOnly, rollups, links, projectId, span, existing, sessionsToRebuild, tracesToRebuild);
                    rebuilds.Touch(projectId, existing.SessionId);
                }
                rowId = existing.RowId;
            }
            rebuilds.Touch(projectId, span.SessionId);
            inheritance.AfterWrite(projectId, rowId, span, passedDown, tracesToRebuild);
            foreach (var (project, session) in passedDown)
            {
                sessionsToRebuild.Add((project, session));
                names.PassedDown(project, session);
                rebuilds.Touch(project, session);
            }
            passedDown.Clear();
        }
        aggregates.Flush(statements, rollups, links, traceModels, sessionsToRebuild, tracesToRebuild);
        links.Apply();

        foreach (var (projectId, sessionId) in sessionsToRebuild)
        {
            var knownName = names.After(connection, transaction, projectId, sessionId);
            if (!rebuilds.TryDefer(connection, transaction, projectId, sessionId, knownName, deferred))
                AggregateRebuilder.RebuildSession(connection, transaction, rollups, projectId, sessionId, knownName);
        }
        AggregateRebuilder.RebuildTraces(connection, transaction, rollups, tracesToRebuild);
        rollups.Flush();
        transaction.Commit();
    }

    private static void AddNew(SpanWriteStatements statements, PendingAggregates aggregates, TraceSpanLinks links, long rowId, long projectId, SpanRecord span)
    {
        statements.WritePayload(rowId, span, replacing: false);
        if (span.Kind == SpanKind.Llm)
        {
            aggregates.AddToHourly(projectId, span.StartMs, span.Model, span.Usage, span.CostPico, span.Status, +1);
            // Sessions marked for rebuild are skipped at flush: the rebuild recomputes them from all their spans, this one included.
            if (span.SessionId is not null)
                aggregates.AddToSession(projectId, span);
        }
        aggregates.AddToTrace(projectId, span);
        links.Link(projectId, span.TraceId, rowId);
    }

    private static void Replace(SpanWriteStatements statements, PendingAggregates aggregates, SumOnlyReplacement sumOnly, SessionRollupDeltas rollups,
        TraceSpanLinks links, long projectId, SpanRecord span, StoredSpanFacts existing, HashSet<(long, string)> sessionsToRebuild, HashSet<(long, string)> tracesToRebuild)
    {
        // In place only when the stored rows hold the stored version's part already: not when its trace has spans of this
        // write not yet flushed (the span itself may be one) or its session or trace is to be rebuilt anyway.
        var inPlace = !aggregates.HasPendingTrace(projectId, existing.TraceId)
            && !tracesToRebuild.Contains((projectId, existing.TraceId))
            && (existing.SessionId is null || !sessionsToRebuild.Contains((projectId, existing.SessionId)))
            && sumOnly.TryApply(projectId, existing, span, rollups);
        statements.UpdateSpan(existing.RowId, projectId, span);
        if (!string.Equals(existing.TraceId, span.TraceId, StringComparison.Ordinal))
        {
            links.Move(projectId, existing.TraceId, span.TraceId, existing.RowId);
        }
        statements.WritePayload(existing.RowId, span, replacing: true);
        if (existing.Kind == SpanKind.Llm)
            aggregates.AddToHourly(projectId, existing.StartMs, existing.Model, existing.Usage, existing.CostPico, existing.Status, -1);
        if (span.Kind == SpanKind.Llm)
            aggregates.AddToHourly(projectId, span.StartMs, span.Model, span.Usage, span.CostPico, span.Status, +1);

        if (inPlace)
        {
            // The sums moved in place; the trace's models and their errored mark (TraceModels) follow a changed model or
            // status by a rebuild of the trace alone.
            if (!string.Equals(existing.Model, span.Model, StringComparison.Ordinal) || existing.Status != span.Status)
                tracesToRebuild.Add((projectId, span.TraceId));
            return;
        }
        if (existing.SessionId is not null)
            sessionsToRebuild.Add((projectId, existing.SessionId));
        if (span.SessionId is not null)
            sessionsToRebuild.Add((projectId, span.SessionId));
        tracesToRebuild.Add((projectId, existing.TraceId));
        tracesToRebuild.Add((projectId, span.TraceId));
    }
}
