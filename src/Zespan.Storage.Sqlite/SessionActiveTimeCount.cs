using Zespan.Core;
using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The exact number of sessions matching an active-time filter (with a start range and an error state or not), at a
/// cost that does not grow with the sessions in the range: whole UTC hours × whole active-time bands from
/// session_active_bands_hourly (migration 201); the values of a band the filter cuts, over those whole hours, from the
/// covering sessions_by_active (one band's entries at most, none when the bound is a band start: 5 min, 1 h …); the
/// partial hours at either end from the sessions started in them (sessions_by_started). Each session is counted in
/// exactly one of these parts, so the sum equals COUNT(*) over the session rows (FastPathDimensionsTests).
/// </summary>
internal static class SessionActiveTimeCount
{
    /// <summary>The rollup is keyed by start hour, error state and active-time band: it holds these dimensions and no other.</summary>
    public const SessionDimensions Supported = SessionDimensions.Time | SessionDimensions.Status | SessionDimensions.ActiveTime;

    /// <summary>Only an active-time filter: without one, session_rollup_hourly already answers.</summary>
    public static bool Covers(SessionFilter filter) =>
        (filter.ActiveDimensions & SessionDimensions.ActiveTime) != 0 && Supported.Supports(filter);

    public static async Task<long> CountAsync(SqliteConnection connection, long projectId, SessionFilter filter, CancellationToken cancellationToken)
    {
        if (!Covers(filter))
            throw new ArgumentException($"The active-time bands hold only {Supported}, with an active-time filter; {filter.ActiveDimensions} is counted on the sessions.", nameof(filter));
        var min = filter.MinActiveMs ?? long.MinValue;
        var max = filter.MaxActiveMs ?? long.MaxValue;
        if (min > max)
            return 0;
        var hours = HourRange.Split(filter.FromMs, filter.ToMs);
        long total = 0;
        if (hours.HasWholeHours)
        {
            var whole = filter with { FromMs = hours.WholeFromMs, ToMs = hours.WholeToMs };
            // Whole bands: from the first band starting at or above min to the last ending at or below max.
            var first = ActiveTimeBands.Of(min);
            if (ActiveTimeBands.Starts[first] < min)
                first++;
            var last = ActiveTimeBands.Of(max);
            if (max != long.MaxValue && ActiveTimeBands.End(last) - 1 > max)
                last--;
            if (first <= last)
            {
                total += await FromBandsAsync(connection, projectId, whole, first, last, cancellationToken);
                // The cut parts of the bands on either side, from the index.
                if (min < ActiveTimeBands.Starts[first])
                    total += await FromIndexAsync(connection, projectId, whole with { MinActiveMs = min, MaxActiveMs = ActiveTimeBands.Starts[first] - 1 }, cancellationToken);
                if (ActiveTimeBands.End(last) != long.MaxValue && max >= ActiveTimeBands.End(last))
                    total += await FromIndexAsync(connection, projectId, whole with { MinActiveMs = ActiveTimeBands.End(last), MaxActiveMs = max }, cancellationToken);
            }
            else
            {
                // Within one or two bands and no whole one: the range is at most two band widths of the index.
                total += await FromIndexAsync(connection, projectId, whole, cancellationToken);
            }
        }
        foreach (var (from, to) in hours.Edges)
            total += await SqliteSessionReader.CountAsync(connection, projectId, filter with { FromMs = from, ToMs = to }, cancellationToken, " INDEXED BY sessions_by_started");
        return total;
    }

    private static async Task<long> FromBandsAsync(SqliteConnection connection, long projectId, SessionFilter whole, int first, int last, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT coalesce(SUM(sessions), 0) FROM session_active_bands_hourly WHERE project_id = $p AND band BETWEEN $first AND $last");
        command.With("$p", projectId).With("$first", first).With("$last", last);
        HourConditions.Append(sql, command, whole.FromMs, whole.ToMs);
        if (whole.Status != SessionStatusFilter.Any)
            sql.Append(whole.Status == SessionStatusFilter.Error ? " AND errored = 1" : " AND errored = 0");
        command.CommandText = sql.ToString();
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The sessions of an active-time range within the whole hours, counted along the covering index (migration 200).</summary>
    private static Task<long> FromIndexAsync(SqliteConnection connection, long projectId, SessionFilter part, CancellationToken cancellationToken) =>
        SqliteSessionReader.CountAsync(connection, projectId, part, cancellationToken, " INDEXED BY sessions_by_active");
}
