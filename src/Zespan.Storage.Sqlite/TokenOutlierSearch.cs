using Zespan.Core;
using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Token outliers (docs/api.md: sessions whose tokens per turn are at least minRatio × the median tokens per turn of
/// the filtered sessions, highest ratio first) without reading the window's sessions: the median's rank is placed in
/// one tokens-per-turn band from session_tokens_per_turn_hourly (whole hours) and the partial hours at either end
/// (sessions_by_started), and only that band's sessions are read, from sessions_by_tokens_per_turn (migration 260); the
/// outliers are then read from the top of that index down, only as many as the answer holds. Every session of the
/// window is counted once and the values compared are the stored rows' doubles, so the answer is the one the two full
/// passes of <see cref="SqliteSessionReader"/> give (SessionRollupTests, FastPathDimensionsTests).
/// </summary>
internal static class TokenOutlierSearch
{
    /// <summary>The bands are keyed by start hour only, and the index carries only the start time.</summary>
    public const SessionDimensions Supported = SessionDimensions.Time;

    public static bool Covers(SessionFilter filter) => Supported.Supports(filter);

    private static readonly string PerTurn = TokensPerTurnBands.PerTurnSql("s.");
    private const string ByPerTurn = "sessions s INDEXED BY sessions_by_tokens_per_turn";

    public static async Task<IReadOnlyList<TokenOutlier>> FindAsync(SqliteConnection connection, long projectId, SessionFilter filter, double minRatio, int limit,
        CancellationToken cancellationToken)
    {
        if (!Covers(filter))
            throw new ArgumentException($"The tokens-per-turn bands hold only {Supported}; {filter.ActiveDimensions} is read from the sessions.", nameof(filter));
        // One snapshot for every read below: a write committed between the band counts and the band's sessions would
        // otherwise move the median's rank (ingestion runs beside every query). CreateCommand enlists each command in it.
        using var snapshot = connection.BeginTransaction(deferred: true);
        if (await MedianAsync(connection, projectId, filter, cancellationToken) is not { } median || median <= 0)
            return [];

        // fl(x / median) >= minRatio implies x >= minRatio × median / (1 + 2^-53): a bound 1e-9 lower keeps every such x in
        // the index range, and the exact condition (the same double arithmetic as TokenOutlier.Ratio) drops the few extra.
        var low = minRatio * median * (1 - 1e-9);
        if (double.IsNaN(low) || double.IsPositiveInfinity(low))
            return []; // no ratio of a finite count of tokens reaches it (NaN: no comparison holds)
        if (limit > 0 && await NthFromTopAsync(connection, projectId, filter, median, minRatio, low, limit - 1, cancellationToken) is { } nth)
        {
            // The answer is among the sessions whose ratio is at least the limit-th one's, and each of those has tokens per
            // turn at least nth / (1 + 2^-52): the same margin. Ties of the ratio across this bound stay inside it.
            low = Math.Max(low, nth * (1 - 1e-9));
        }

        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {SessionSql.Columns}, {PerTurn} / $median AS ratio FROM {ByPerTurn} WHERE s.project_id = $p AND {PerTurn} >= $low");
        command.With("$p", projectId).With("$median", median).With("$minRatio", minRatio).With("$low", low).With("$limit", limit);
        SessionSql.AppendFilter(sql, command, filter);
        sql.Append($" AND {PerTurn} / $median >= $minRatio ORDER BY ratio DESC, s.session_id LIMIT $limit");
        command.CommandText = sql.ToString();
        var result = new List<TokenOutlier>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
        {
            var session = SessionSql.Read(reader);
            result.Add(new TokenOutlier(session, TokensPerTurnBands.PerTurn(session.TotalTokens, session.Turns), median));
        }
        return result;
    }

    /// <summary>Tokens per turn of the (skip + 1)-th outlier from the top, in index order; null when there are fewer.</summary>
    private static async Task<double?> NthFromTopAsync(SqliteConnection connection, long projectId, SessionFilter filter, double median, double minRatio, double low, int skip,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {PerTurn} FROM {ByPerTurn} WHERE s.project_id = $p AND {PerTurn} >= $low AND {PerTurn} / $median >= $minRatio");
        command.With("$p", projectId).With("$median", median).With("$minRatio", minRatio).With("$low", low).With("$skip", skip);
        SessionSql.AppendFilter(sql, command, filter);
        sql.Append($" ORDER BY {PerTurn} DESC LIMIT 1 OFFSET $skip");
        command.CommandText = sql.ToString();
        return await command.ExecuteScalarAsync(cancellationToken) is double value ? value : null;
    }

    /// <summary>The exact median tokens per turn of the window's sessions (the mean of the middle two for an even count); null when none.</summary>
    internal static async Task<double?> MedianAsync(SqliteConnection connection, long projectId, SessionFilter filter, CancellationToken cancellationToken)
    {
        var hours = HourRange.Split(filter.FromMs, filter.ToMs);
        var whole = new SessionFilter { FromMs = hours.WholeFromMs, ToMs = hours.WholeToMs };
        var counts = new long[TokensPerTurnBands.Starts.Length];
        if (hours.HasWholeHours)
            await CountWholeHoursAsync(connection, projectId, whole, counts, cancellationToken);
        // The partial hours at either end: at most two hours of sessions, read along the covering start index.
        var edges = new List<double>();
        foreach (var (from, to) in hours.Edges)
        {
            await using var command = connection.CreateCommand();
            var sql = new StringBuilder($"SELECT {PerTurn} FROM sessions s INDEXED BY sessions_by_started WHERE s.project_id = $p");
            command.With("$p", projectId);
            SessionSql.AppendFilter(sql, command, new SessionFilter { FromMs = from, ToMs = to });
            command.CommandText = sql.ToString();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (reader.Read())
            {
                var value = reader.GetDouble(0);
                edges.Add(value);
                counts[TokensPerTurnBands.Of(value)]++;
            }
        }

        var total = counts.Sum();
        if (total == 0)
            return null;
        var bandValues = new Dictionary<int, List<double>>();
        async Task<double> AtRankAsync(long rank)
        {
            var band = 0;
            while (rank >= counts[band])
                rank -= counts[band++];
            if (!bandValues.TryGetValue(band, out var values))
            {
                values = hours.HasWholeHours ? await ReadBandAsync(connection, projectId, whole, band, cancellationToken) : [];
                values.AddRange(edges.Where(v => TokensPerTurnBands.Of(v) == band));
                if (values.Count != counts[band])
                    throw new InvalidOperationException($"session_tokens_per_turn_hourly counts {counts[band]} sessions in band {band} of project {projectId}, the sessions {values.Count}: the writer's deltas missed a change.");
                values.Sort();
                bandValues[band] = values;
            }
            return values[(int)rank];
        }
        // The same arithmetic as the full recomputation (SqliteSessionReader) and docs/api.md.
        return total % 2 == 1 ? await AtRankAsync(total / 2) : (await AtRankAsync(total / 2 - 1) + await AtRankAsync(total / 2)) / 2;
    }

    private static async Task CountWholeHoursAsync(SqliteConnection connection, long projectId, SessionFilter whole, long[] counts, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT band, SUM(sessions) FROM session_tokens_per_turn_hourly WHERE project_id = $p");
        command.With("$p", projectId);
        HourConditions.Append(sql, command, whole.FromMs, whole.ToMs);
        command.CommandText = sql.Append(" GROUP BY band").ToString();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
            counts[reader.GetInt32(0)] += reader.GetInt64(1);
    }

    /// <summary>The tokens per turn of one band's sessions within the whole hours: one range of sessions_by_tokens_per_turn.</summary>
    private static async Task<List<double>> ReadBandAsync(SqliteConnection connection, long projectId, SessionFilter whole, int band, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {PerTurn} FROM {ByPerTurn} WHERE s.project_id = $p");
        command.With("$p", projectId);
        if (band > 0)
        {
            sql.Append($" AND {PerTurn} >= $bandStart");
            command.With("$bandStart", TokensPerTurnBands.Starts[band]);
        }
        if (band + 1 < TokensPerTurnBands.Starts.Length)
        {
            sql.Append($" AND {PerTurn} < $bandEnd");
            command.With("$bandEnd", TokensPerTurnBands.End(band));
        }
        SessionSql.AppendFilter(sql, command, whole);
        command.CommandText = sql.ToString();
        var values = new List<double>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
            values.Add(reader.GetDouble(0));
        return values;
    }
}
