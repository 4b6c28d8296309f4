using System.Text.Json;
using Microsoft.Data.Sqlite;
using Zespan.Core.Spans;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The prepared statements of one write transaction. New spans update the aggregates incrementally with upserts
/// (the common path); a replaced span instead marks its session and trace for a rebuild (see AggregateRebuilder).
/// </summary>
internal sealed class SpanWriteStatements : IDisposable
{
    private const string SpanColumns =
        "trace_id, parent_id, session_id, user_id, name, kind, model, provider, start_ms, end_ms, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_pico, cost_source, status, error, metadata, tags";
    private static readonly string[] SpanParameters =
        ["$p", "$id", "$trace", "$parent", "$session", "$user", "$name", "$kind", "$model", "$provider", "$start", "$end", "$in", "$out", "$cached", "$reasoning", "$cost", "$costSource", "$status", "$error", "$metadata", "$tags"];

    private readonly SqliteCommand _findExisting;
    private readonly SqliteCommand _insertSpan;
    private readonly SqliteCommand _updateSpan;
    private readonly SqliteCommand _upsertPayload;
    private readonly SqliteCommand _deletePayload;
    private readonly SqliteCommand _addToSession;
    private readonly SqliteCommand _addSessionTag;
    private readonly SqliteCommand _addSessionMetadata;
    private readonly SqliteCommand _addToTrace;
    private readonly SqliteCommand _addToDaily;

    public SpanWriteStatements(SqliteConnection connection, SqliteTransaction transaction)
    {
        _findExisting = connection.Prepared(transaction,
            "SELECT id, kind, session_id, trace_id, start_ms, model, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_pico, status FROM spans WHERE project_id = $p AND span_id = $id",
            "$p", "$id");
        _insertSpan = connection.Prepared(transaction,
            // DO NOTHING + RETURNING: a new span costs one index probe; no row back means the id exists and the caller replaces it.
            $"INSERT INTO spans (project_id, span_id, {SpanColumns}) VALUES ({string.Join(", ", SpanParameters)}) ON CONFLICT (project_id, span_id) DO NOTHING RETURNING id",
            SpanParameters);
        _updateSpan = connection.Prepared(transaction,
            $"UPDATE spans SET ({SpanColumns}) = ({string.Join(", ", SpanParameters[2..])}) WHERE id = $row",
            [.. SpanParameters, "$row"]);
        _upsertPayload = connection.Prepared(transaction,
            "INSERT INTO span_payloads (span_row_id, input, output) VALUES ($row, $input, $output) ON CONFLICT (span_row_id) DO UPDATE SET input = excluded.input, output = excluded.output",
            "$row", "$input", "$output");
        _deletePayload = connection.Prepared(transaction, "DELETE FROM span_payloads WHERE span_row_id = $row", "$row");
        _addToSession = connection.Prepared(transaction, """
            INSERT INTO sessions (project_id, session_id, user_id, user_start_ms, user_span_id, started_ms, ended_ms, duration_ms, turns,
                                  cost_pico, unpriced_calls, input_tokens, output_tokens, total_tokens, error_count, latency_sum_ms)
            VALUES ($p, $session, $user, $userStart, $userSpan,
                    $start, $end, $end - $start, $turns, $cost, $unpriced, $in, $out, $in + $out, $errors, $latency)
            ON CONFLICT (project_id, session_id) DO UPDATE SET
                user_id       = CASE WHEN excluded.user_id IS NOT NULL AND (user_id IS NULL OR (excluded.user_start_ms, excluded.user_span_id) < (user_start_ms, user_span_id)) THEN excluded.user_id ELSE user_id END,
                user_start_ms = CASE WHEN excluded.user_id IS NOT NULL AND (user_id IS NULL OR (excluded.user_start_ms, excluded.user_span_id) < (user_start_ms, user_span_id)) THEN excluded.user_start_ms ELSE user_start_ms END,
                user_span_id  = CASE WHEN excluded.user_id IS NOT NULL AND (user_id IS NULL OR (excluded.user_start_ms, excluded.user_span_id) < (user_start_ms, user_span_id)) THEN excluded.user_span_id ELSE user_span_id END,
                started_ms     = min(started_ms, excluded.started_ms),
                ended_ms       = max(ended_ms, excluded.ended_ms),
                duration_ms    = max(ended_ms, excluded.ended_ms) - min(started_ms, excluded.started_ms),
                turns          = turns + excluded.turns,
                cost_pico      = cost_pico + excluded.cost_pico,
                unpriced_calls = unpriced_calls + excluded.unpriced_calls,
                input_tokens   = input_tokens + excluded.input_tokens,
                output_tokens  = output_tokens + excluded.output_tokens,
                total_tokens   = total_tokens + excluded.total_tokens,
                error_count    = error_count + excluded.error_count,
                latency_sum_ms = latency_sum_ms + excluded.latency_sum_ms
            """, "$p", "$session", "$user", "$userStart", "$userSpan", "$start", "$end", "$turns", "$cost", "$unpriced", "$in", "$out", "$errors", "$latency");
        _addSessionTag = connection.Prepared(transaction,
            "INSERT OR IGNORE INTO session_tags (project_id, session_id, tag) VALUES ($p, $session, $tag)", "$p", "$session", "$tag");
        _addSessionMetadata = connection.Prepared(transaction,
            "INSERT OR IGNORE INTO session_metadata (project_id, session_id, key, value) VALUES ($p, $session, $key, $value)", "$p", "$session", "$key", "$value");
        _addToTrace = connection.Prepared(transaction, """
            INSERT INTO traces (project_id, trace_id, root_name, root_start_ms, root_span_id, started_ms, ended_ms, span_count, llm_calls, cost_pico,
                                unpriced_calls, total_tokens, error_count, user_id, user_start_ms, user_span_id, session_id, session_start_ms, session_span_id)
            VALUES ($p, $trace, $rootName, $rootStart, $rootSpan,
                    $start, $end, $spanCount, $llmCalls, $cost, $unpriced, $tokens, $errors,
                    $user, $userStart, $userSpan, $session, $sessionStart, $sessionSpan)
            ON CONFLICT (project_id, trace_id) DO UPDATE SET
                root_name     = CASE WHEN excluded.root_span_id IS NOT NULL AND (root_span_id IS NULL OR (excluded.root_start_ms, excluded.root_span_id) < (root_start_ms, root_span_id)) THEN excluded.root_name ELSE root_name END,
                root_start_ms = CASE WHEN excluded.root_span_id IS NOT NULL AND (root_span_id IS NULL OR (excluded.root_start_ms, excluded.root_span_id) < (root_start_ms, root_span_id)) THEN excluded.root_start_ms ELSE root_start_ms END,
                root_span_id  = CASE WHEN excluded.root_span_id IS NOT NULL AND (root_span_id IS NULL OR (excluded.root_start_ms, excluded.root_span_id) < (root_start_ms, root_span_id)) THEN excluded.root_span_id ELSE root_span_id END,
                user_id       = CASE WHEN excluded.user_id IS NOT NULL AND (user_id IS NULL OR (excluded.user_start_ms, excluded.user_span_id) < (user_start_ms, user_span_id)) THEN excluded.user_id ELSE user_id END,
                user_start_ms = CASE WHEN excluded.user_id IS NOT NULL AND (user_id IS NULL OR (excluded.user_start_ms, excluded.user_span_id) < (user_start_ms, user_span_id)) THEN excluded.user_start_ms ELSE user_start_ms END,
                user_span_id  = CASE WHEN excluded.user_id IS NOT NULL AND (user_id IS NULL OR (excluded.user_start_ms, excluded.user_span_id) < (user_start_ms, user_span_id)) THEN excluded.user_span_id ELSE user_span_id END,
                session_id       = CASE WHEN excluded.session_id IS NOT NULL AND (session_id IS NULL OR (excluded.session_start_ms, excluded.session_span_id) < (session_start_ms, session_span_id)) THEN excluded.session_id ELSE session_id END,
                session_start_ms = CASE WHEN excluded.session_id IS NOT NULL AND (session_id IS NULL OR (excluded.session_start_ms, excluded.session_span_id) < (session_start_ms, session_span_id)) THEN excluded.session_start_ms ELSE session_start_ms END,
                session_span_id  = CASE WHEN excluded.session_id IS NOT NULL AND (session_id IS NULL OR (excluded.session_start_ms, excluded.session_span_id) < (session_start_ms, session_span_id)) THEN excluded.session_span_id ELSE session_span_id END,
                started_ms     = min(started_ms, excluded.started_ms),
                ended_ms       = max(ended_ms, excluded.ended_ms),
                span_count     = span_count + excluded.span_count,
                llm_calls      = llm_calls + excluded.llm_calls,
                cost_pico      = cost_pico + excluded.cost_pico,
                unpriced_calls = unpriced_calls + excluded.unpriced_calls,
                total_tokens   = total_tokens + excluded.total_tokens,
                error_count    = error_count + excluded.error_count
            """, "$p", "$trace", "$rootName", "$rootStart", "$rootSpan", "$start", "$end", "$spanCount", "$llmCalls", "$cost", "$unpriced", "$tokens", "$errors",
            "$user", "$userStart", "$userSpan", "$session", "$sessionStart", "$sessionSpan");
        _addToDaily = connection.Prepared(transaction, """
            INSERT INTO model_usage_daily (project_id, day, model, calls, cost_pico, unpriced_calls, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, errors)
            VALUES ($p, $day, $model, $calls, $cost, $unpriced, $in, $out, $cached, $reasoning, $errors)
            ON CONFLICT (project_id, day, model) DO UPDATE SET
                calls = calls + excluded.calls, cost_pico = cost_pico + excluded.cost_pico, unpriced_calls = unpriced_calls + excluded.unpriced_calls,
                input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
                cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
                errors = errors + excluded.errors
            """, "$p", "$day", "$model", "$calls", "$cost", "$unpriced", "$in", "$out", "$cached", "$reasoning", "$errors");
    }

    public StoredSpanFacts? FindExisting(long projectId, string spanId)
    {
        _findExisting.Set("$p", projectId);
        _findExisting.Set("$id", spanId);
        using var reader = _findExisting.ExecuteReader();
        if (!reader.Read())
            return null;
        return new StoredSpanFacts(
            reader.GetInt64(0), (SpanKind)reader.GetInt32(1), reader.GetNullableString(2), reader.GetString(3), reader.GetInt64(4),
            reader.GetNullableString(5),
            new TokenUsage(reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9)),
            reader.GetNullableInt64(10), (SpanStatus)reader.GetInt32(11));
    }

    /// <summary>Inserts a span whose id is new to the project and returns its row id, or null when the id is already stored.</summary>
    public long? TryInsertSpan(long projectId, SpanRecord span)
    {
        BindSpan(_insertSpan, projectId, span);
        return _insertSpan.ExecuteScalar() is long rowId ? rowId : null;
    }

    public void UpdateSpan(long rowId, long projectId, SpanRecord span)
    {
        BindSpan(_updateSpan, projectId, span);
        _updateSpan.Set("$row", rowId);
        _updateSpan.ExecuteNonQuery();
    }

    public void WritePayload(long rowId, SpanRecord span, bool replacing)
    {
        if (span.InputJson is null && span.OutputJson is null)
        {
            if (replacing)
            {
                _deletePayload.Set("$row", rowId);
                _deletePayload.ExecuteNonQuery();
            }
            return;
        }
        _upsertPayload.Set("$row", rowId);
        _upsertPayload.Set("$input", span.InputJson);
        _upsertPayload.Set("$output", span.OutputJson);
        _upsertPayload.ExecuteNonQuery();
    }

    /// <summary>Adds the summed new LLM spans of one session (see PendingAggregates): sums, extremes and the earliest user.</summary>
    public void AddToSession(long projectId, string sessionId, SessionDelta d)
    {
        var c = _addToSession;
        c.Set("$p", projectId);
        c.Set("$session", sessionId);
        c.Set("$user", d.UserId);
        c.Set("$userStart", d.UserId is null ? null : d.UserStartMs);
        c.Set("$userSpan", d.UserSpanId);
        c.Set("$start", d.StartedMs);
        c.Set("$end", d.EndedMs);
        c.Set("$turns", d.Turns);
        c.Set("$cost", d.CostPico);
        c.Set("$unpriced", d.Unpriced);
        c.Set("$in", d.InputTokens);
        c.Set("$out", d.OutputTokens);
        c.Set("$errors", d.Errors);
        c.Set("$latency", d.LatencySumMs);
        c.ExecuteNonQuery();
    }

    public void AddSessionTag(long projectId, string sessionId, string tag)
    {
        _addSessionTag.Set("$p", projectId);
        _addSessionTag.Set("$session", sessionId);
        _addSessionTag.Set("$tag", tag);
        _addSessionTag.ExecuteNonQuery();
    }

    public void AddSessionMetadata(long projectId, string sessionId, string key, string value)
    {
        _addSessionMetadata.Set("$p", projectId);
        _addSessionMetadata.Set("$session", sessionId);
        _addSessionMetadata.Set("$key", key);
        _addSessionMetadata.Set("$value", value);
        _addSessionMetadata.ExecuteNonQuery();
    }

    /// <summary>Adds the summed new spans of one trace.</summary>
    public void AddToTrace(long projectId, string traceId, TraceDelta d)
    {
        var c = _addToTrace;
        c.Set("$p", projectId);
        c.Set("$trace", traceId);
        c.Set("$rootName", d.RootName);
        c.Set("$rootStart", d.RootSpanId is null ? null : d.RootStartMs);
        c.Set("$rootSpan", d.RootSpanId);
        c.Set("$start", d.StartedMs);
        c.Set("$end", d.EndedMs);
        c.Set("$spanCount", d.SpanCount);
        c.Set("$llmCalls", d.LlmCalls);
        c.Set("$cost", d.CostPico);
        c.Set("$unpriced", d.Unpriced);
        c.Set("$tokens", d.Tokens);
        c.Set("$errors", d.Errors);
        c.Set("$user", d.UserId);
        c.Set("$userStart", d.UserId is null ? null : d.UserStartMs);
        c.Set("$userSpan", d.UserSpanId);
        c.Set("$session", d.SessionId);
        c.Set("$sessionStart", d.SessionId is null ? null : d.SessionStartMs);
        c.Set("$sessionSpan", d.SessionSpanId);
        c.ExecuteNonQuery();
    }

    /// <summary>Adds (+1) or removes (−1) one LLM span's usage in its model's daily row (used by retention deletes).</summary>
    public void AddToDaily(long projectId, long startMs, string? model, TokenUsage usage, long? costPico, SpanStatus status, int sign)
    {
        var delta = new PendingAggregates();
        delta.AddToDaily(projectId, startMs, model, usage, costPico, status, sign);
        delta.FlushDaily(this);
    }

    /// <summary>Adds a signed delta (new spans minus replaced ones) to one model's daily row.</summary>
    public void AddToDaily(long projectId, long day, string model, DailyDelta d)
    {
        var c = _addToDaily;
        c.Set("$p", projectId);
        c.Set("$day", day);
        c.Set("$model", model);
        c.Set("$calls", d.Calls);
        c.Set("$cost", d.CostPico);
        c.Set("$unpriced", d.Unpriced);
        c.Set("$in", d.InputTokens);
        c.Set("$out", d.OutputTokens);
        c.Set("$cached", d.CachedInputTokens);
        c.Set("$reasoning", d.ReasoningTokens);
        c.Set("$errors", d.Errors);
        c.ExecuteNonQuery();
    }

    // Bound by position (the order of SpanParameters): a name lookup per value was a visible share of the per-span cost.
    private static void BindSpan(SqliteCommand c, long projectId, SpanRecord span)
    {
        var p = c.Parameters;
        p[0].Value = projectId;
        p[1].Value = span.Id;
        p[2].Value = span.TraceId;
        p[3].Value = (object?)span.ParentId ?? DBNull.Value;
        p[4].Value = (object?)span.SessionId ?? DBNull.Value;
        p[5].Value = (object?)span.UserId ?? DBNull.Value;
        p[6].Value = span.Name;
        p[7].Value = (int)span.Kind;
        p[8].Value = (object?)span.Model ?? DBNull.Value;
        p[9].Value = (object?)span.Provider ?? DBNull.Value;
        p[10].Value = span.StartMs;
        p[11].Value = span.EndMs;
        p[12].Value = span.Usage.InputTokens;
        p[13].Value = span.Usage.OutputTokens;
        p[14].Value = span.Usage.CachedInputTokens;
        p[15].Value = span.Usage.ReasoningTokens;
        p[16].Value = (object?)span.CostPico ?? DBNull.Value;
        p[17].Value = (int)span.CostSource;
        p[18].Value = (int)span.Status;
        p[19].Value = (object?)span.Error ?? DBNull.Value;
        p[20].Value = (object?)span.MetadataJson ?? DBNull.Value;
        p[21].Value = span.Tags.Count == 0 ? DBNull.Value : JsonSerializer.Serialize(span.Tags);
    }

    public void Dispose()
    {
        foreach (var command in new[] { _findExisting, _insertSpan, _updateSpan, _upsertPayload, _deletePayload, _addToSession, _addSessionTag, _addSessionMetadata, _addToTrace, _addToDaily })
            command.Dispose();
    }
}

/// <summary>What the writer needs to know of a span already stored, to replace it without double counting.</summary>
internal sealed record StoredSpanFacts(long RowId, SpanKind Kind, string? SessionId, string TraceId, long StartMs, string? Model, TokenUsage Usage, long? CostPico, SpanStatus Status);

/// <summary>UTC day boundaries for the daily rollups.</summary>
internal static class UtcDay
{
    public const long Ms = 86_400_000;

    public static long Start(long unixMs) => unixMs - (((unixMs % Ms) + Ms) % Ms);
}
