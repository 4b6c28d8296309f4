using System.Buffers;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Zespan.Core.Spans;
using Zespan.Core.Traces;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The prepared statements of one write transaction. New spans update the aggregates incrementally with upserts
/// (the common path); a replaced span instead marks its session and trace for a rebuild (see AggregateRebuilder).
/// They run inside the transaction the caller has open on the connection, through SQLitePCLRaw (see RawStatement).
/// </summary>
internal sealed class SpanWriteStatements : IDisposable
{
    private const string SpanColumns =
        "trace_id, parent_id, session_id, user_id, name, kind, model, provider, start_ms, end_ms, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_pico, cost_source, status, error, metadata, tags, usage_reported, session_name, cache_creation_input_tokens";
    private static readonly string[] SpanParameters =
        ["$p", "$id", "$trace", "$parent", "$session", "$user", "$name", "$kind", "$model", "$provider", "$start", "$end", "$in", "$out", "$cached", "$reasoning", "$cost", "$costSource", "$status", "$error", "$metadata", "$tags", "$usageReported", "$sessionName", "$cacheWritten"];

    private readonly RawStatement _findExisting;
    private readonly RawStatement _insertSpan;
    private readonly int[] _insertSpanIndexes;
    private readonly int[] _updateSpanIndexes;
    private readonly RawStatement _updateSpan;
    private readonly RawStatement _upsertPayload;
    private readonly RawStatement _deletePayload;
    private readonly RawStatement _addToSession;
    private readonly RawStatement _addSessionTag;
    private readonly RawStatement _addSessionMetadata;
    private readonly RawStatement _trimSessionMetadata;
    private readonly RawStatement _unchanged;
    private readonly int[] _unchangedIndexes;
    private readonly RawStatement _insertTrace;
    private readonly RawStatement _mergeIntoTrace;
    private readonly RawStatement _traceBefore;
    private readonly RawStatement _addToHourly;
    private readonly RawStatement _readSessionState;
    private readonly RawStatement _idleGap;
    private readonly Dictionary<long, long> _idleGapByProject = [];

    public SpanWriteStatements(SqliteConnection connection)
    {
        _findExisting = new RawStatement(connection, "SELECT id, kind, session_id, trace_id, start_ms, model, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_pico, status, cache_creation_input_tokens FROM spans WHERE project_id = $p AND span_id = $id");
        _insertSpan = new RawStatement(connection,
            // DO NOTHING: a new span costs one index probe; no row inserted means the id exists and the caller replaces it.
            // No RETURNING: SQLite runs RETURNING as a trigger, which gives every span insert a statement journal and an
            // ephemeral table (see RawStatement.ExecuteInsert).
            $"INSERT INTO spans (project_id, span_id, {SpanColumns}) VALUES ({string.Join(", ", SpanParameters)}) ON CONFLICT (project_id, span_id) DO NOTHING");
        _insertSpanIndexes = [.. SpanParameters.Select(_insertSpan.IndexOf)];
        // The update names every span column but the key ($p and $id): those two positions bind nothing.
        _updateSpan = new RawStatement(connection, $"UPDATE spans SET ({SpanColumns}) = ({string.Join(", ", SpanParameters[2..])}) WHERE id = $row");
        _updateSpanIndexes = [0, 0, .. SpanParameters[2..].Select(_updateSpan.IndexOf)];
        _upsertPayload = new RawStatement(connection, "INSERT INTO span_payloads (span_row_id, input, output) VALUES ($row, $input, $output) ON CONFLICT (span_row_id) DO UPDATE SET input = excluded.input, output = excluded.output");
        _deletePayload = new RawStatement(connection, "DELETE FROM span_payloads WHERE span_row_id = $row");
        _addToSession = new RawStatement(connection, $"""
            INSERT INTO sessions (project_id, session_id, user_id, user_start_ms, user_span_id, started_ms, ended_ms, duration_ms, turns,
                                  cost_pico, cost_high, unpriced_calls, input_tokens, output_tokens, total_tokens, error_count, latency_sum_ms,
                                  idle_ms, idle_gaps, last_start_ms, active_ms, name, name_explicit, name_start_ms, name_span_id)
            VALUES ($p, $session, $user, $userStart, $userSpan,
                    $start, $end, $end - $start, $turns, $cost, $costHigh, $unpriced, $in, $out, $in + $out, $errors, $latency,
                    $idle, $gaps, $lastStart, $end - $start - $idle, $name, $nameExplicit, $nameStart, $nameSpan)
            ON CONFLICT (project_id, session_id) DO UPDATE SET
                -- Folded in by SessionActivityRows from the stored row read in this transaction: absolute values.
                idle_ms       = excluded.idle_ms,
                idle_gaps     = excluded.idle_gaps,
                last_start_ms = excluded.last_start_ms,
                name          = CASE WHEN excluded.name IS NOT NULL AND (name IS NULL OR excluded.name_explicit > name_explicit OR (excluded.name_explicit = name_explicit AND (excluded.name_start_ms, excluded.name_span_id) < (name_start_ms, name_span_id))) THEN excluded.name ELSE name END,
                name_start_ms = CASE WHEN excluded.name IS NOT NULL AND (name IS NULL OR excluded.name_explicit > name_explicit OR (excluded.name_explicit = name_explicit AND (excluded.name_start_ms, excluded.name_span_id) < (name_start_ms, name_span_id))) THEN excluded.name_start_ms ELSE name_start_ms END,
                name_span_id  = CASE WHEN excluded.name IS NOT NULL AND (name IS NULL OR excluded.name_explicit > name_explicit OR (excluded.name_explicit = name_explicit AND (excluded.name_start_ms, excluded.name_span_id) < (name_start_ms, name_span_id))) THEN excluded.name_span_id ELSE name_span_id END,
                name_explicit = CASE WHEN excluded.name IS NOT NULL AND (name IS NULL OR excluded.name_explicit > name_explicit OR (excluded.name_explicit = name_explicit AND (excluded.name_start_ms, excluded.name_span_id) < (name_start_ms, name_span_id))) THEN excluded.name_explicit ELSE name_explicit END,
                user_id       = CASE WHEN excluded.user_id IS NOT NULL AND (user_id IS NULL OR (excluded.user_start_ms, excluded.user_span_id) < (user_start_ms, user_span_id)) THEN excluded.user_id ELSE user_id END,
                user_start_ms = CASE WHEN excluded.user_id IS NOT NULL AND (user_id IS NULL OR (excluded.user_start_ms, excluded.user_span_id) < (user_start_ms, user_span_id)) THEN excluded.user_start_ms ELSE user_start_ms END,
                user_span_id  = CASE WHEN excluded.user_id IS NOT NULL AND (user_id IS NULL OR (excluded.user_start_ms, excluded.user_span_id) < (user_start_ms, user_span_id)) THEN excluded.user_span_id ELSE user_span_id END,
                started_ms     = min(started_ms, excluded.started_ms),
                ended_ms       = max(ended_ms, excluded.ended_ms),
                duration_ms    = max(ended_ms, excluded.ended_ms) - min(started_ms, excluded.started_ms),
                -- Stored (migration 200): duration_ms - idle_ms of the new row (the right-hand sides read the old row).
                active_ms      = max(ended_ms, excluded.ended_ms) - min(started_ms, excluded.started_ms) - excluded.idle_ms,
                turns          = turns + excluded.turns,
                {ExactSum.AddRowSql()}, -- exact at any total (migration 150)
                unpriced_calls = unpriced_calls + excluded.unpriced_calls,
                input_tokens   = input_tokens + excluded.input_tokens,
                output_tokens  = output_tokens + excluded.output_tokens,
                total_tokens   = total_tokens + excluded.total_tokens,
                error_count    = error_count + excluded.error_count,
                latency_sum_ms = latency_sum_ms + excluded.latency_sum_ms
            """);
        _addSessionTag = new RawStatement(connection, "INSERT OR IGNORE INTO session_tags (project_id, session_id, tag) VALUES ($p, $session, $tag)");
        _addSessionMetadata = new RawStatement(connection, "INSERT OR IGNORE INTO session_metadata (project_id, session_id, key, value) VALUES ($p, $session, $key, $value)");
        // BINARY collation orders values by code point, the order of MetadataValues.SessionGrouping. Fewer rows than the cap:
        // the subquery is NULL and nothing is deleted.
        _trimSessionMetadata = new RawStatement(connection, $"""
            DELETE FROM session_metadata WHERE project_id = $p AND session_id = $session AND key = $key AND value >
                (SELECT value FROM session_metadata WHERE project_id = $p AND session_id = $session AND key = $key ORDER BY value LIMIT 1 OFFSET {MetadataValues.MaxValuesPerKeyPerSession - 1})
            """);
        // A re-sent span equal to the stored one in every column and payload (an SDK retry) changes nothing; IS compares NULLs too.
        _unchanged = new RawStatement(connection, $"""
            SELECT 1 FROM spans s LEFT JOIN span_payloads pl ON pl.span_row_id = s.id
            WHERE s.project_id = $p AND s.span_id = $id AND ({SpanColumns.Replace(", ", ", s.").Insert(0, "s.")}) IS ({string.Join(", ", SpanParameters[2..])})
              AND pl.input IS $input AND pl.output IS $output
            """);
        _unchangedIndexes = [.. SpanParameters.Select(_unchanged.IndexOf)];
        // A trace new to the project (most of them: SDKs make one trace per call) is one insert, with no read before it; a
        // stored one meets the insert's conflict, is read by id, then merged by its row number (the UPDATE below).
        _insertTrace = new RawStatement(connection, """
            INSERT INTO traces (project_id, trace_id, root_name, root_start_ms, root_span_id, started_ms, ended_ms, span_count, llm_calls, cost_pico, cost_high,
                                unpriced_calls, total_tokens, error_count, user_id, user_start_ms, user_span_id, session_id, session_start_ms, session_span_id)
            VALUES ($p, $trace, $rootName, $rootStart, $rootSpan,
                    $start, $end, $spanCount, $llmCalls, $cost, $costHigh, $unpriced, $tokens, $errors,
                    $user, $userStart, $userSpan, $session, $sessionStart, $sessionSpan)
            ON CONFLICT (project_id, trace_id) DO NOTHING
            """);
        // Read before the merge rather than RETURNING from it, for the reason given at the span insert.
        _traceBefore = new RawStatement(connection, "SELECT started_ms, error_count, id FROM traces WHERE project_id = $p AND trace_id = $trace");
        _mergeIntoTrace = new RawStatement(connection, $"""
            UPDATE traces SET
                root_name     = CASE WHEN $rootSpan IS NOT NULL AND (root_span_id IS NULL OR ($rootStart, $rootSpan) < (root_start_ms, root_span_id)) THEN $rootName ELSE root_name END,
                root_start_ms = CASE WHEN $rootSpan IS NOT NULL AND (root_span_id IS NULL OR ($rootStart, $rootSpan) < (root_start_ms, root_span_id)) THEN $rootStart ELSE root_start_ms END,
                root_span_id  = CASE WHEN $rootSpan IS NOT NULL AND (root_span_id IS NULL OR ($rootStart, $rootSpan) < (root_start_ms, root_span_id)) THEN $rootSpan ELSE root_span_id END,
                user_id       = CASE WHEN $user IS NOT NULL AND (user_id IS NULL OR ($userStart, $userSpan) < (user_start_ms, user_span_id)) THEN $user ELSE user_id END,
                user_start_ms = CASE WHEN $user IS NOT NULL AND (user_id IS NULL OR ($userStart, $userSpan) < (user_start_ms, user_span_id)) THEN $userStart ELSE user_start_ms END,
                user_span_id  = CASE WHEN $user IS NOT NULL AND (user_id IS NULL OR ($userStart, $userSpan) < (user_start_ms, user_span_id)) THEN $userSpan ELSE user_span_id END,
                session_id       = CASE WHEN $session IS NOT NULL AND (session_id IS NULL OR ($sessionStart, $sessionSpan) < (session_start_ms, session_span_id)) THEN $session ELSE session_id END,
                session_start_ms = CASE WHEN $session IS NOT NULL AND (session_id IS NULL OR ($sessionStart, $sessionSpan) < (session_start_ms, session_span_id)) THEN $sessionStart ELSE session_start_ms END,
                session_span_id  = CASE WHEN $session IS NOT NULL AND (session_id IS NULL OR ($sessionStart, $sessionSpan) < (session_start_ms, session_span_id)) THEN $sessionSpan ELSE session_span_id END,
                started_ms     = min(started_ms, $start),
                ended_ms       = max(ended_ms, $end),
                span_count     = span_count + $spanCount,
                llm_calls      = llm_calls + $llmCalls,
                {ExactSum.AddRowSql("$costHigh", "$cost")}, -- exact at any total (migration 150)
                unpriced_calls = unpriced_calls + $unpriced,
                total_tokens   = total_tokens + $tokens,
                error_count    = error_count + $errors
            WHERE id = $row
            """);
        _readSessionState = new RawStatement(connection,
            "SELECT started_ms, last_start_ms, ended_ms, idle_ms, idle_gaps, name IS NOT NULL, name_explicit, name_start_ms, name_span_id FROM sessions WHERE project_id = $p AND session_id = $session");
        _idleGap = new RawStatement(connection, "SELECT idle_gap_ms FROM session_idle_thresholds WHERE project_id = $p");
        _addToHourly = new RawStatement(connection, """
            INSERT INTO model_usage_hourly (project_id, hour, model, calls, cost_high, cost_low, unpriced_calls, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, errors,
                                            cache_creation_input_tokens)
            VALUES ($p, $hour, $model, $calls, $costHigh, $costLow, $unpriced, $in, $out, $cached, $reasoning, $errors, $cacheWritten)
            ON CONFLICT (project_id, hour, model) DO UPDATE SET
                -- Two parts (migration 120): the carry of the lower 32 bits moves into the upper part, so neither overflows.
                cost_high = cost_high + excluded.cost_high + ((cost_low + excluded.cost_low) >> 32),
                cost_low = (cost_low + excluded.cost_low) & 4294967295,
                calls = calls + excluded.calls, unpriced_calls = unpriced_calls + excluded.unpriced_calls,
                input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
                cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
                errors = errors + excluded.errors, cache_creation_input_tokens = cache_creation_input_tokens + excluded.cache_creation_input_tokens
            """);
    }

    /// <summary>The stored session row's activity and name position, or null when the session is new.</summary>
    public StoredSessionState? ReadSessionState(long projectId, string sessionId)
    {
        var c = _readSessionState;
        c.Set("$p", projectId);
        c.Set("$session", sessionId);
        if (!c.Read())
            return null;
        var state = new StoredSessionState(
            new Zespan.Core.Sessions.SessionActivity.State(c.GetInt64(0), c.GetInt64(1), c.GetInt64(2), c.GetInt64(3), (int)c.GetInt64(4)),
            c.GetInt64(5) == 1, c.GetInt64(6) == 1, c.GetNullableInt64(7) ?? 0, c.GetNullableString(8));
        c.Reset();
        return state;
    }

    /// <summary>The project's idle gap threshold, read once per write transaction (a threshold change takes the write gate).</summary>
    public long IdleGapMs(long projectId)
    {
        if (_idleGapByProject.TryGetValue(projectId, out var cached))
            return cached;
        _idleGap.Set("$p", projectId);
        var ms = _idleGap.ExecuteScalarInt64() ?? Zespan.Core.Sessions.SessionActivity.DefaultIdleGapMs;
        return _idleGapByProject[projectId] = ms;
    }

    public StoredSpanFacts? FindExisting(long projectId, string spanId)
    {
        var c = _findExisting;
        c.Set("$p", projectId);
        c.Set("$id", spanId);
        if (!c.Read())
            return null;
        var facts = new StoredSpanFacts(
            c.GetInt64(0), (SpanKind)c.GetInt64(1), c.GetNullableString(2), c.GetString(3), c.GetInt64(4), c.GetNullableString(5),
            new TokenUsage(c.GetInt64(6), c.GetInt64(7), c.GetInt64(8), c.GetInt64(9), c.GetInt64(12)),
            c.GetNullableInt64(10), (SpanStatus)c.GetInt64(11));
        c.Reset();
        return facts;
    }

    /// <summary>True when the project holds this span id with exactly these columns and payload.</summary>
    public bool IsUnchanged(long projectId, SpanRecord span)
    {
        var c = _unchanged;
        BindSpan(c, _unchangedIndexes, projectId, span);
        c.Set("$input", span.InputJson);
        c.Set("$output", span.OutputJson);
        return c.ExecuteScalarInt64() is not null;
    }

    /// <summary>Inserts a span whose id is new to the project and returns its row id, or null when the id is already stored.</summary>
    public long? TryInsertSpan(long projectId, SpanRecord span)
    {
        BindSpan(_insertSpan, _insertSpanIndexes, projectId, span);
        return _insertSpan.ExecuteInsert();
    }

    public void UpdateSpan(long rowId, long projectId, SpanRecord span)
    {
        BindSpan(_updateSpan, _updateSpanIndexes, projectId, span);
        _updateSpan.Set("$row", rowId);
        _updateSpan.Execute();
    }

    public void WritePayload(long rowId, SpanRecord span, bool replacing)
    {
        if (span.InputJson is null && span.OutputJson is null)
        {
            if (replacing)
            {
                _deletePayload.Set("$row", rowId);
                _deletePayload.Execute();
            }
            return;
        }
        _upsertPayload.Set("$row", rowId);
        _upsertPayload.Set("$input", span.InputJson);
        _upsertPayload.Set("$output", span.OutputJson);
        _upsertPayload.Execute();
    }

    /// <summary>
    /// Merges the fold of one session's new calls (see PendingAggregates) into its row. The upsert is
    /// <see cref="Zespan.Core.Sessions.SessionFigures.Merge"/> written in SQL (sums, min/max, the earliest (start, span
    /// id) by BINARY collation, which is code point order); SessionFoldTests checks the two agree.
    /// </summary>
    public void AddToSession(long projectId, string sessionId, SessionDelta d, FoldedSession folded)
    {
        var c = _addToSession;
        var f = d.Figures;
        c.Set("$p", projectId);
        c.Set("$session", sessionId);
        c.Set("$user", f.User.Value);
        c.Set("$userStart", f.User.HasValue ? f.User.StartMs : (long?)null);
        c.Set("$userSpan", f.User.SpanId);
        c.Set("$start", f.StartedMs);
        c.Set("$end", f.EndedMs);
        c.Set("$turns", f.Turns);
        var (costHigh, cost) = ExactSum.ToRow(f.CostPico);
        c.Set("$cost", cost);
        c.Set("$costHigh", costHigh);
        c.Set("$unpriced", f.UnpricedCalls);
        c.Set("$in", f.InputTokens);
        c.Set("$out", f.OutputTokens);
        c.Set("$errors", f.Errors);
        c.Set("$latency", f.LatencySumMs);
        c.Set("$idle", folded.IdleMs);
        c.Set("$gaps", folded.IdleGaps);
        c.Set("$lastStart", folded.LastStartMs);
        c.Set("$name", folded.Name);
        c.Set("$nameExplicit", folded.NameExplicit ? 1 : 0);
        c.Set("$nameStart", folded.Name is null ? null : folded.NameStartMs);
        c.Set("$nameSpan", folded.NameSpanId);
        c.Execute();
    }

    public void AddSessionTag(long projectId, string sessionId, string tag)
    {
        _addSessionTag.Set("$p", projectId);
        _addSessionTag.Set("$session", sessionId);
        _addSessionTag.Set("$tag", tag);
        _addSessionTag.Execute();
    }

    public void AddSessionMetadata(long projectId, string sessionId, string key, string value)
    {
        _addSessionMetadata.Set("$p", projectId);
        _addSessionMetadata.Set("$session", sessionId);
        _addSessionMetadata.Set("$key", key);
        _addSessionMetadata.Set("$value", value);
        _addSessionMetadata.Execute();
    }

    /// <summary>Keeps the session's MaxValuesPerKeyPerSession smallest values of the key, deleting the rest.</summary>
    public void TrimSessionMetadata(long projectId, string sessionId, string key)
    {
        _trimSessionMetadata.Set("$p", projectId);
        _trimSessionMetadata.Set("$session", sessionId);
        _trimSessionMetadata.Set("$key", key);
        _trimSessionMetadata.Execute();
    }

    /// <summary>
    /// Merges the fold of one trace's new spans into its row: <see cref="TraceFigures.Merge"/> in SQL (see AddToSession).
    /// Returns what the row counted for before (null when it is new) and after, for the trace counters
    /// (SessionRollupDeltas.MoveTrace) and its models (TraceModels), and the row's number, for its spans' links
    /// (TraceSpanLinks). A trace new to the project is inserted; a stored row is read before the merge, not after: its
    /// start before is what moves its hourly count, and its start and errors after follow from the merge's min and sum.
    /// </summary>
    public (TraceCountState? Before, TraceCountState After, long Row) AddToTrace(long projectId, string traceId, TraceFigures d)
    {
        var insert = BindTraceFigures(_insertTrace, d);
        insert.Set("$p", projectId);
        insert.Set("$trace", traceId);
        if (insert.ExecuteInsert() is { } row)
            return (null, new TraceCountState(d.StartedMs, d.Errors), row);

        var stored = _traceBefore;
        stored.Set("$p", projectId);
        stored.Set("$trace", traceId);
        if (!stored.Read())
            throw new InvalidOperationException($"Trace {traceId} was neither inserted nor found.");
        var (before, storedRow) = (new TraceCountState(stored.GetInt64(0), stored.GetInt64(1)), stored.GetInt64(2));
        stored.Reset();
        var merge = BindTraceFigures(_mergeIntoTrace, d);
        merge.Set("$row", storedRow);
        merge.Execute();
        return (before, new TraceCountState(Math.Min(before.StartedMs, d.StartedMs), before.Errors + d.Errors), storedRow);
    }

    /// <summary>Binds a trace fold's figures, as the insert and the merge name them.</summary>
    private static RawStatement BindTraceFigures(RawStatement c, TraceFigures d)
    {
        c.Set("$rootName", d.Root.Value);
        c.Set("$rootStart", d.Root.HasValue ? d.Root.StartMs : (long?)null);
        c.Set("$rootSpan", d.Root.SpanId);
        c.Set("$start", d.StartedMs);
        c.Set("$end", d.EndedMs);
        c.Set("$spanCount", d.SpanCount);
        c.Set("$llmCalls", d.LlmCalls);
        var (costHigh, cost) = ExactSum.ToRow(d.CostPico);
        c.Set("$cost", cost);
        c.Set("$costHigh", costHigh);
        c.Set("$unpriced", d.UnpricedCalls);
        c.Set("$tokens", d.TotalTokens);
        c.Set("$errors", d.Errors);
        c.Set("$user", d.User.Value);
        c.Set("$userStart", d.User.HasValue ? d.User.StartMs : (long?)null);
        c.Set("$userSpan", d.User.SpanId);
        c.Set("$session", d.Session.Value);
        c.Set("$sessionStart", d.Session.HasValue ? d.Session.StartMs : (long?)null);
        c.Set("$sessionSpan", d.Session.SpanId);
        return c;
    }

    /// <summary>Adds (+1) or removes (−1) one LLM span's usage in its model's hourly row (used by retention deletes).</summary>
    public void AddToHourly(long projectId, long startMs, string? model, TokenUsage usage, long? costPico, SpanStatus status, int sign)
    {
        var delta = new PendingAggregates();
        delta.AddToHourly(projectId, startMs, model, usage, costPico, status, sign);
        delta.FlushHourly(this);
    }

    /// <summary>Adds a signed delta (new spans minus replaced ones) to one model's hourly row.</summary>
    public void AddToHourly(long projectId, long hour, string model, HourlyDelta d)
    {
        var c = _addToHourly;
        c.Set("$p", projectId);
        c.Set("$hour", hour);
        c.Set("$model", model);
        c.Set("$calls", d.Calls);
        c.Set("$costHigh", ExactSum.High(d.CostPico));
        c.Set("$costLow", ExactSum.Low(d.CostPico));
        c.Set("$unpriced", d.Unpriced);
        c.Set("$in", d.InputTokens);
        c.Set("$out", d.OutputTokens);
        c.Set("$cached", d.CachedInputTokens);
        c.Set("$reasoning", d.ReasoningTokens);
        c.Set("$errors", d.Errors);
        c.Set("$cacheWritten", d.CacheCreationInputTokens);
        c.Execute();
    }

    // Bound by position (the order of SpanParameters), resolved once per statement. Index 0 = not bound (the update's key columns).
    private static void BindSpan(RawStatement c, int[] i, long projectId, SpanRecord span)
    {
        if (i[0] != 0)
        {
            c.Bind(i[0], projectId);
            c.Bind(i[1], span.Id);
        }
        c.Bind(i[2], span.TraceId);
        c.Bind(i[3], span.ParentId);
        c.Bind(i[4], span.SessionId);
        c.Bind(i[5], span.UserId);
        c.Bind(i[6], span.Name);
        c.Bind(i[7], (long)span.Kind);
        c.Bind(i[8], span.Model);
        c.Bind(i[9], span.Provider);
        c.Bind(i[10], span.StartMs);
        c.Bind(i[11], span.EndMs);
        c.Bind(i[12], span.Usage.InputTokens);
        c.Bind(i[13], span.Usage.OutputTokens);
        c.Bind(i[14], span.Usage.CachedInputTokens);
        c.Bind(i[15], span.Usage.ReasoningTokens);
        c.Bind(i[16], span.CostPico);
        c.Bind(i[17], (long)span.CostSource);
        c.Bind(i[18], (long)span.Status);
        c.Bind(i[19], span.Error);
        c.Bind(i[20], span.MetadataJson);
        BindTags(c, i[21], span.Tags);
        c.Bind(i[22], span.UsageReported ? 1L : 0L);
        c.Bind(i[23], span.SessionName);
        c.Bind(i[24], span.Usage.CacheCreationInputTokens);
    }

    // The tags column is a JSON array. Written with Utf8JsonWriter straight into a reused buffer: JsonSerializer's
    // reflection path plus a string and its re-encoding were a visible share of the writer thread (perf, ingest-stages).
    [ThreadStatic] private static ArrayBufferWriter<byte>? _tagsBuffer;
    [ThreadStatic] private static Utf8JsonWriter? _tagsWriter;

    internal static void BindTags(RawStatement c, int index, IReadOnlyList<string> tags)
    {
        if (tags.Count == 0)
            c.Bind(index, (string?)null);
        else
            c.BindUtf8(index, TagsJson(tags));
    }

    /// <summary>The tags column's bytes for these tags (empty for none: the column is NULL); valid until the next call on this thread.</summary>
    internal static ReadOnlySpan<byte> TagsJson(IReadOnlyList<string> tags)
    {
        if (tags.Count == 0)
            return [];
        var buffer = _tagsBuffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = _tagsWriter ??= new Utf8JsonWriter(buffer); // one per thread, as the buffer: a span with tags made one
        writer.Reset(buffer);
        writer.WriteStartArray();
        foreach (var tag in tags)
            writer.WriteStringValue(tag);
        writer.WriteEndArray();
        writer.Flush();
        return buffer.WrittenSpan;
    }

    public void Dispose()
    {
        foreach (var command in new IDisposable[] { _findExisting, _insertSpan, _updateSpan, _upsertPayload, _deletePayload, _addToSession, _addSessionTag, _addSessionMetadata, _trimSessionMetadata, _unchanged, _insertTrace, _mergeIntoTrace, _traceBefore, _addToHourly, _readSessionState, _idleGap })
            command.Dispose();
    }
}

/// <summary>What the writer needs to know of a span already stored, to replace it without double counting.</summary>
internal sealed record StoredSpanFacts(long RowId, SpanKind Kind, string? SessionId, string TraceId, long StartMs, string? Model, TokenUsage Usage, long? CostPico, SpanStatus Status);
