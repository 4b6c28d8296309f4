using Zespan.Core;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Traces;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The aggregate changes of one write transaction, summed in memory and written once per session, trace, hour/model
/// and tag at commit time. Why: a group commit holds thousands of spans, mostly several per session and trace; one
/// upsert per span rewrote the same session row (and its seven sort indexes) again and again, which was most of the
/// writer's cost (bench/Zespan.Bench ingest). Sums add and extremes take min/max, so the result is the same as
/// applying the spans one by one.
/// </summary>
internal sealed class PendingAggregates
{
    private readonly Dictionary<(long, string), SessionDelta> _sessions = [];
    private readonly Dictionary<(long, string), TraceFigures> _traces = [];
    /// <summary>The distinct models of each trace's new spans (TraceModels); a trace's spans mostly share one.</summary>
    private readonly Dictionary<(long, string), List<string>> _traceModels = [];
    private readonly Dictionary<(long, long, string), HourlyDelta> _hourly = [];

    /// <summary>Folds one LLM call into its session's delta (the rules are those of <see cref="SessionFigures"/>).</summary>
    public void AddToSession(long projectId, SpanRecord span)
    {
        var key = (projectId, span.SessionId!);
        if (!_sessions.TryGetValue(key, out var d))
            _sessions[key] = d = new SessionDelta();
        d.Figures.Add(span);
        d.Calls.Add(new PendingCall(span.StartMs, span.EndMs, span.Id, span.InputJson));
        foreach (var tag in span.Tags)
            d.Tags.Add(tag);
        foreach (var (k, v) in span.MetadataValues)
        {
            if (!d.Metadata.TryGetValue(k, out var values))
                d.Metadata[k] = values = new HashSet<string>(StringComparer.Ordinal);
            values.Add(v);
        }
    }

    /// <summary>Folds one span into its trace's delta (the rules are those of <see cref="TraceFigures"/>).</summary>
    public void AddToTrace(long projectId, SpanRecord span)
    {
        var key = (projectId, span.TraceId);
        if (!_traces.TryGetValue(key, out var d))
            _traces[key] = d = new TraceFigures();
        d.Add(span);
        if (span.Model is not { } model)
            return;
        if (!_traceModels.TryGetValue(key, out var models))
            _traceModels[key] = models = [];
        if (!models.Contains(model))
            models.Add(model);
    }

    /// <summary>Whether spans of this trace were added in this write and are not yet in its stored row.</summary>
    public bool HasPendingTrace(long projectId, string traceId) => _traces.ContainsKey((projectId, traceId));

    public void AddToHourly(long projectId, long startMs, string? model, TokenUsage usage, long? costPico, SpanStatus status, int sign)
    {
        var key = (projectId, HourRange.Floor(startMs), model ?? "");
        if (!_hourly.TryGetValue(key, out var d))
            _hourly[key] = d = new HourlyDelta();
        d.Calls += sign;
        d.CostPico += sign * (costPico ?? 0);
        d.Unpriced += sign * (costPico is null ? 1 : 0);
        d.InputTokens += sign * usage.InputTokens;
        d.OutputTokens += sign * usage.OutputTokens;
        d.CachedInputTokens += sign * usage.CachedInputTokens;
        d.ReasoningTokens += sign * usage.ReasoningTokens;
        d.CacheCreationInputTokens += sign * usage.CacheCreationInputTokens;
        d.Errors += sign * (status == SpanStatus.Error ? 1 : 0);
    }

    /// <summary>Writes every delta; sessions and traces about to be rebuilt from their spans are skipped (the rebuild includes these spans).</summary>
    public void Flush(SpanWriteStatements statements, SessionRollupDeltas rollups, TraceSpanLinks links, TraceModels traceModels,
        HashSet<(long, string)> sessionsToRebuild, HashSet<(long, string)> tracesToRebuild)
    {
        // In key order, for locality in every table keyed by session (ProjectKeys); the rows written are the same in any order.
        var sessions = ProjectKeys.InOrder(_sessions).ToList();
        var upserted = new List<(long ProjectId, string SessionId, SessionRollupState? Before)>(_sessions.Count);
        foreach (var ((projectId, sessionId), d) in sessions)
        {
            if (sessionsToRebuild.Contains((projectId, sessionId)))
                continue;
            // A call earlier than a stored one can close an idle gap: only a recomputation from all calls is exact then.
            if (SessionActivityRows.FoldIn(statements, projectId, sessionId, d) is { } folded)
            {
                upserted.Add((projectId, sessionId, rollups.Read(projectId, sessionId)));
                statements.AddToSession(projectId, sessionId, d, folded);
            }
            else
                sessionsToRebuild.Add((projectId, sessionId));
        }
        // Tags, and at most MaxValuesPerKeyPerSession values per key and session: this batch's smallest, then the stored rows
        // are trimmed back to the smallest of old and new together. Kept per session as the calls are added, so no pass
        // regroups the batch's pairs (LINQ GroupBy was ~4 % of the writer with SDK traffic). A pair the stored row already
        // has (read just above: most calls repeat their session's tags and metadata) is not inserted again.
        var stored = upserted.ToDictionary(u => (u.ProjectId, u.SessionId), u => u.Before);
        // Each upserted session's pairs after this write: the stored ones and those inserted, unless a trim deleted some
        // (null: read them again).
        var pairsAfter = new Dictionary<(long, string), SessionPairs?>(upserted.Count);
        foreach (var ((projectId, sessionId), d) in sessions)
        {
            if (sessionsToRebuild.Contains((projectId, sessionId)))
                continue;
            var known = stored.TryGetValue((projectId, sessionId), out var before);
            SessionPairs? after = new([.. before?.Tags ?? []], [.. before?.Metadata ?? []]);
            foreach (var tag in d.Tags)
            {
                if (before is null || !before.Tags.Contains(tag))
                {
                    statements.AddSessionTag(projectId, sessionId, tag);
                    after?.Tags.Add(tag);
                }
            }
            foreach (var (key, values) in d.Metadata)
            {
                var added = 0;
                foreach (var value in MetadataValues.Kept(values))
                {
                    if (before is not null && before.Metadata.Contains((key, value)))
                        continue;
                    statements.AddSessionMetadata(projectId, sessionId, key, value);
                    after?.Metadata.Add((key, value));
                    added++;
                }
                // A session whose stored pairs were not read is always trimmed.
                if (!known || MayPassTheCap(before, key, added))
                {
                    statements.TrimSessionMetadata(projectId, sessionId, key);
                    after = null;
                }
            }
            pairsAfter[(projectId, sessionId)] = after;
        }
        // The rollups follow each upserted row from before its calls, tags and metadata to after them.
        foreach (var (projectId, sessionId, before) in upserted)
            rollups.Move(projectId, sessionId, before, rollups.Read(projectId, sessionId, pairsAfter.GetValueOrDefault((projectId, sessionId))));
        foreach (var ((projectId, traceId), d) in _traces)
        {
            if (tracesToRebuild.Contains((projectId, traceId)))
                continue;
            var (before, after, row) = statements.AddToTrace(projectId, traceId, d);
            rollups.MoveTrace(projectId, before, after);
            links.KnowRow(projectId, traceId, row);
            traceModels.Added(projectId, row, before, after, _traceModels.GetValueOrDefault((projectId, traceId)) ?? []);
        }
        FlushHourly(statements);
    }

    /// <summary>
    /// Whether the session's key can now hold more than MaxValuesPerKeyPerSession values, so the trim has work to do: the
    /// values stored before this write (read for the rollups; none when the session row is new, since a session's pairs
    /// are deleted with its row) plus the ones just added. Why: the trim is a DELETE with a subquery per key and session,
    /// and with SDK traffic it found nothing to delete in nearly every write (13,526 runs per 31,573 spans, all no-ops).
    /// </summary>
    private static bool MayPassTheCap(SessionRollupState? before, string key, int added)
    {
        var storedValues = before?.Metadata.Count(m => string.Equals(m.Key, key, StringComparison.Ordinal)) ?? 0;
        return storedValues + added > MetadataValues.MaxValuesPerKeyPerSession;
    }

    public void FlushHourly(SpanWriteStatements statements)
    {
        foreach (var ((projectId, hour, model), d) in _hourly)
            statements.AddToHourly(projectId, hour, model, d);
    }
}

/// <summary>One session's new calls in this write: their fold, merged into the stored row by the session upsert.</summary>
internal sealed class SessionDelta
{
    public SessionFigures Figures { get; } = new();
    /// <summary>This batch's calls of the session, for active time and the name from the first user message.</summary>
    public List<PendingCall> Calls { get; } = [];
    /// <summary>This batch's tags of the session, and its distinct metadata values per key.</summary>
    public HashSet<string> Tags { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, HashSet<string>> Metadata { get; } = new(StringComparer.Ordinal);
}

internal readonly record struct PendingCall(long StartMs, long EndMs, string SpanId, string? InputJson);

internal sealed class HourlyDelta
{
    public Int128 CostPico;
    public long Calls, Unpriced, InputTokens, OutputTokens, CachedInputTokens, ReasoningTokens, Errors, CacheCreationInputTokens;
}
