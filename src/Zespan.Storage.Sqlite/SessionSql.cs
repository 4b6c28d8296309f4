using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>The sessions table's columns, filters and sort keys, shared by every session query.</summary>
internal static class SessionSql
{
    public const string Columns =
        "s.session_id, s.user_id, s.started_ms, s.ended_ms, s.turns, s.cost_pico, s.unpriced_calls, s.input_tokens, s.output_tokens, s.error_count, s.latency_sum_ms, s.idle_ms, s.idle_gaps, s.name, s.cost_high";

    /// <summary>How many columns <see cref="Columns"/> selects: a query reads its own extra columns from this ordinal on.</summary>
    public static readonly int ColumnCount = Columns.Split(',').Length;

    public static SessionSummary Read(SqliteDataReader r, int offset = 0) => new(
        r.GetString(offset), r.GetNullableString(offset + 1), r.GetInt64(offset + 2), r.GetInt64(offset + 3), r.GetInt32(offset + 4),
        ExactSum.Join(r.GetInt64(offset + 14), r.GetInt64(offset + 5)), r.GetInt32(offset + 6), r.GetInt64(offset + 7), r.GetInt64(offset + 8), r.GetInt32(offset + 9), r.GetInt64(offset + 10))
    {
        IdleMs = r.GetInt64(offset + 11),
        IdleGaps = r.GetInt32(offset + 12),
        Name = r.GetNullableString(offset + 13),
    };

    /// <summary>
    /// The columns of the sort key on alias s, before the session id. Cost sorts by (cost_unknown, cost_sort) (migrations
    /// 072, 150): a session none of whose calls was priced is above every known cost, not among the $0 ones. The few
    /// sessions above $9,223,372.03 share the clamped cost_sort there; <see cref="OverBoundCostOrder"/> orders them exactly.
    /// </summary>
    public static string[] SortKey(SessionSort sort) => sort switch
    {
        SessionSort.StartedAt => ["s.started_ms"],
        SessionSort.DurationMs => ["s.duration_ms"],
        SessionSort.Turns => ["s.turns"],
        SessionSort.CostUsd => ["s.cost_unknown", "s.cost_sort"],
        SessionSort.TotalTokens => ["s.total_tokens"],
        SessionSort.ErrorCount => ["s.error_count"],
        SessionSort.ActiveDurationMs => ["s.active_ms"],
        SessionSort.IdleGapCount => ["s.idle_gaps"],
        _ => throw new ArgumentOutOfRangeException(nameof(sort)),
    };

    /// <summary>The cursor's sort value as the parameters of <see cref="SortKey"/>, each bound to the command; costs are
    /// never negative, so an unknown cost travels as <see cref="UnknownCost"/>.</summary>
    public static string[] BindSortKey(SqliteCommand command, SessionSort sort, long value)
    {
        if (sort != SessionSort.CostUsd)
        {
            command.With("$afterValue", value);
            return ["$afterValue"];
        }
        command.With("$afterUnknown", value == UnknownCost ? 1 : 0).With("$afterValue", value == UnknownCost ? 0 : value);
        return ["$afterUnknown", "$afterValue"];
    }

    public const long UnknownCost = SessionCursor.UnknownCost;

    /// <summary>
    /// SQL on alias s with the cost order's VIRTUAL columns (migrations 072, 150) written as the stored columns they are
    /// computed from. Why: SQLite never reads a virtual column from an index, so a query naming one looks up every row;
    /// written this way, a query over sessions_by_active (migration 230, which holds those stored columns) reads no row.
    /// </summary>
    public static string Stored(string sql) => sql
        .Replace("s.cost_unknown", "(s.unpriced_calls = s.turns)")
        .Replace("s.cost_sort", "(CASE WHEN s.cost_high = 0 THEN s.cost_pico ELSE 9223372036854775807 END)");

    /// <summary>The index that holds sessions in this sort order (migrations 001, 030, 040).</summary>
    public static string SortIndex(SessionSort sort) => sort switch
    {
        SessionSort.StartedAt => "sessions_by_started",
        SessionSort.DurationMs => "sessions_by_duration",
        SessionSort.Turns => "sessions_by_turns",
        SessionSort.CostUsd => "sessions_by_cost",
        SessionSort.TotalTokens => "sessions_by_tokens",
        SessionSort.ErrorCount => "sessions_by_errors",
        SessionSort.ActiveDurationMs => "sessions_by_active",
        SessionSort.IdleGapCount => "sessions_by_idle_gaps",
        _ => throw new ArgumentOutOfRangeException(nameof(sort)),
    };

    /// <summary>Every dimension has its condition below; a filter with another one is refused rather than half applied.</summary>
    public const SessionDimensions Supported = SessionDimensions.Time | SessionDimensions.User | SessionDimensions.Status
        | SessionDimensions.MinTurns | SessionDimensions.MaxTurns | SessionDimensions.ActiveTime | SessionDimensions.Text;

    /// <summary>
    /// Appends " AND ..." conditions for the filter to a WHERE clause on alias s, binding every value as a parameter.
    /// textAs: how q= is written (see SessionSearch): by default the matches from the search index.
    /// </summary>
    public static void AppendFilter(StringBuilder sql, SqliteCommand command, SessionFilter filter, TextAs textAs = TextAs.Candidates)
    {
        if (!Supported.Supports(filter))
            throw new NotSupportedException($"The session filter has {filter.ActiveDimensions & ~Supported}, which {nameof(AppendFilter)} does not write as SQL.");
        if (filter.FromMs is { } from)
        {
            sql.Append(" AND s.started_ms >= $from");
            command.With("$from", from);
        }
        if (filter.ToMs is { } to)
        {
            sql.Append(" AND s.started_ms < $to");
            command.With("$to", to);
        }
        if (filter.UserId is { } user)
        {
            sql.Append(" AND s.user_id = $user");
            command.With("$user", user);
        }
        // With TextAs.Facts the status is in the search documents' ranges (and there is no error count to test).
        if (filter.Status == SessionStatusFilter.Error && textAs != TextAs.Facts)
            sql.Append(" AND s.error_count > 0");
        else if (filter.Status == SessionStatusFilter.Ok && textAs != TextAs.Facts)
            sql.Append(" AND s.error_count = 0");
        if (filter.MinTurns is { } minTurns)
        {
            sql.Append(" AND s.turns >= $minTurns");
            command.With("$minTurns", minTurns);
        }
        if (filter.MaxTurns is { } maxTurns)
        {
            sql.Append(" AND s.turns <= $maxTurns");
            command.With("$maxTurns", maxTurns);
        }
        if (filter.MinActiveMs is { } minActive)
        {
            sql.Append(" AND s.active_ms >= $minActive");
            command.With("$minActive", minActive);
        }
        if (filter.MaxActiveMs is { } maxActive)
        {
            sql.Append(" AND s.active_ms <= $maxActive");
            command.With("$maxActive", maxActive);
        }
        if (filter.Query is not null && textAs is not (TextAs.Joined or TextAs.Facts))
            SessionSearch.Append(sql, command, filter, textAs == TextAs.RowTest);
    }
}

/// <summary>How a query applies q=: an IN over the search index's matches, a LIKE test of each row, or not at all because
/// its FROM clause already joins the matches (SessionSearch.JoinedFrom) or reads the matches' figures (SessionSearchFacts.From,
/// which also holds the status).</summary>
internal enum TextAs { Candidates, RowTest, Joined, Facts }
