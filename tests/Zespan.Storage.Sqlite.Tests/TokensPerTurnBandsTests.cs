using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The tokens-per-turn bands (migration 260) and the token outliers answered from them: the band rule in SQL is the one
/// in C#, the index holds exactly the double the outliers rank by, and the answer equals the definition of docs/api.md
/// where the median falls on a band start, between bands, among ties, and in windows cut mid-hour.
/// </summary>
public sealed class TokensPerTurnBandsTests
{
    [Fact]
    public async Task TheBandRuleInSql_IsTheOneInCSharp_AndMigration260UsesIt()
    {
        await using (var stream = typeof(SqliteStorage).Assembly.GetManifestResourceStream("Zespan.Storage.Sqlite.Migrations.260_session_tokens_per_turn_bands.sql")!)
        using (var reader = new StreamReader(stream))
        {
            var migration = await reader.ReadToEndAsync();
            Assert.Contains(TokensPerTurnBands.Sql(TokensPerTurnBands.PerTurnSql()), migration);
            Assert.Contains($"sessions(project_id, {TokensPerTurnBands.PerTurnSql()}, started_ms, total_tokens, turns)", migration);
        }

        await using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        // Just below, on and just above every band start, with few and many turns, and counts past 2^53 (rounded to a double).
        var cases = TokensPerTurnBands.Starts.Skip(1)
            .SelectMany(start => new long[] { 1, 3, 7, 1_000, 999_983 }.SelectMany(turns => new[] { -1L, 0, 1 }.Select(d => ((long)start * turns + d, turns))))
            .Concat([(0L, 1L), (1L, 3L), (long.MaxValue, 1L), (long.MaxValue, 3L), ((1L << 53) + 1, 1L), (9_007_199_254_740_993L, 7L)]);
        foreach (var (tokens, turns) in cases)
        {
            using var command = new SqliteCommand(
                $"SELECT {TokensPerTurnBands.PerTurnSql()}, {TokensPerTurnBands.Sql(TokensPerTurnBands.PerTurnSql())} FROM (SELECT $tokens AS total_tokens, $turns AS turns)", connection);
            command.Parameters.AddWithValue("$tokens", tokens);
            command.Parameters.AddWithValue("$turns", turns);
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            var perTurn = TokensPerTurnBands.PerTurn(tokens, turns);
            Assert.Equal(BitConverter.DoubleToInt64Bits(perTurn), BitConverter.DoubleToInt64Bits(reader.GetDouble(0)));
            var band = TokensPerTurnBands.Of(perTurn);
            Assert.Equal(band, reader.GetInt32(1));
            Assert.True(TokensPerTurnBands.Starts[band] <= perTurn && perTurn < TokensPerTurnBands.End(band), $"{tokens}/{turns} in band {band}");
        }
    }

    [Fact]
    public async Task ReadingABandOrTheTop_ReadsOnlyTheIndex()
    {
        var (storage, folder) = await SqliteStoreFactory.CreateStorageAsync();
        try
        {
            await using var connection = await storage.Database.OpenAsync();
            // Not covering, the median's band read one session row per entry: 750 ms of CPU at 1 M sessions.
            var perTurn = TokensPerTurnBands.PerTurnSql("s.");
            var plan = connection.QueryPlan(
                $"SELECT {perTurn} FROM sessions s INDEXED BY sessions_by_tokens_per_turn "
                + $"WHERE s.project_id = 1 AND {perTurn} >= 8 AND {perTurn} < 9 AND s.started_ms >= 5 AND s.started_ms < 10 ORDER BY {perTurn} DESC");
            Assert.Contains("USING COVERING INDEX sessions_by_tokens_per_turn", plan);
        }
        finally
        {
            await SqliteStoreFactory.DeleteAsync(storage, folder);
        }
    }

    [Theory]
    [InlineData(260)]
    [InlineData(261)]
    [InlineData(262)]
    public async Task Outliers_EqualTheDefinition_OnBandStartsTiesAndCutHours_ThroughResendsAndRetention(int seed)
    {
        var random = new Random(seed);
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p");
        var (storage, project) = (store.Storage, store.Project);
        var spans = new List<SpanRecord>();
        // Tokens per turn on a band start, one token either side of one, or a common value many sessions share (ties).
        var starts = TokensPerTurnBands.Starts.Skip(1).Where(s => s <= 4_096).Select(s => (long)s).ToArray();
        for (var session = 0; session < 150; session++)
        {
            var at = Day0 + random.NextInt64(2 * Day);
            var turns = random.Next(1, 5);
            var perTurn = random.Next(3) == 0 ? 96 : starts[random.Next(starts.Length)] + random.Next(-1, 2);
            for (var turn = 0; turn < turns; turn++)
                spans.Add(Llm($"s{session}-{turn}", $"session-{session:000}", at + turn * 30_000, inputTokens: perTurn, outputTokens: 0));
        }
        foreach (var batch in spans.OrderBy(_ => random.Next()).Chunk(41))
            await storage.SpanWriter.WriteAsync(batch.Select(s => new ProjectSpan(project, s)).ToList());
        await AssertOutliersAsync(storage, project, spans, random);

        // Re-sent calls with other token counts and start times (sessions change band and hour), then retention.
        var resent = spans.OrderBy(_ => random.Next()).Take(40)
            .Select(s => s with { Usage = new TokenUsage(random.Next(1, 5_000), 0, 0, 0), StartMs = s.StartMs - random.NextInt64(3 * Hour), EndMs = s.EndMs - Hour }).ToList();
        await storage.SpanWriter.WriteAsync(resent.Select(s => new ProjectSpan(project, s)).ToList());
        spans = [.. spans.Where(s => !resent.Any(r => r.Id == s.Id)), .. resent];
        await AssertOutliersAsync(storage, project, spans, random);

        var cutoff = Day0 + random.NextInt64(Day);
        await storage.Retention.DeleteSpansStartedBeforeAsync(project, cutoff, batchSize: 17);
        spans = [.. spans.Where(s => s.StartMs >= cutoff)];
        await AssertOutliersAsync(storage, project, spans, random);
    }

    private static async Task AssertOutliersAsync(SqliteStorage storage, long projectId, List<SpanRecord> spans, Random random)
    {
        await using (var connection = await storage.Database.OpenAsync())
        {
            var bands = Bands(connection);
            Assert.Equal(bands.Recomputed, bands.Kept);
        }
        var sessions = ReferenceFigures.Sessions(spans).Values.ToList();
        for (var i = 0; i < 30; i++)
        {
            long? from = random.Next(5) == 0 ? null : Day0 - 4 * Hour + random.NextInt64(2 * Day);
            long? to = random.Next(5) == 0 ? null : (from ?? Day0) + (random.Next(3) == 0 ? random.NextInt64(1, 2 * Hour) : random.NextInt64(Hour, 2 * Day));
            var filter = new SessionFilter { FromMs = from, ToMs = to };
            var minRatio = new[] { 0.5, 1.0, 1.25, 2.0, 3.0 }[random.Next(5)];
            var limit = random.Next(1, 12);
            var expected = TokenOutlierRecomputation.Expected(
                sessions.Where(s => (from is null || s.StartedMs >= from) && (to is null || s.StartedMs < to)).Select(s => (s.SessionId, s.TotalTokens, (long)s.Turns)), minRatio, limit);
            var actual = await storage.Sessions.TokenOutliersAsync(projectId, filter, minRatio, limit);
            Assert.Equal(expected, actual.Select(o => (o.Session.SessionId, o.Ratio)));
        }
    }

    private const string KeptBands = "SELECT project_id, hour, band, sessions FROM session_tokens_per_turn_hourly ORDER BY 1, 2, 3";

    private static readonly string RecomputedBands = $"""
        SELECT project_id, started_ms - ((started_ms % 3600000) + 3600000) % 3600000, {TokensPerTurnBands.Sql(TokensPerTurnBands.PerTurnSql())}, COUNT(*)
        FROM sessions GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        """;

    /// <summary>The tokens-per-turn bands as the writer kept them, and recomputed from the session rows.</summary>
    internal static (List<string> Kept, List<string> Recomputed) Bands(SqliteConnection connection) =>
        (connection.IntegerRows(KeptBands), connection.IntegerRows(RecomputedBands));
}
