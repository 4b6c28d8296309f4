using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The hourly tag and metadata rollups (migration 050) and the per-kind costs (195) are kept by the writer's deltas (181) through every write path, and the breakdowns
/// read from them must equal the join over the sessions that they replace. The join is written out here as the reference.
/// </summary>
public sealed class GroupRollupTests
{
    private const long Hour = TestSpans.Hour;
    private const long Day = TestSpans.Day;
    private static readonly long Day0 = TestSpans.Day0;
    private static readonly string[] Keys = ["feature", "plan", "rare", "absent"];
    private static readonly string[] Tags = ["beta", "web", "mobile", "agent-loop", "z\U0001F600", "z\uFF21"];

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(404)]
    [InlineData(9001)]
    public async Task Breakdown_ByTagAndMetadata_EqualsTheJoin_ThroughNewReSentLateAndRetainedSpans(int seed)
    {
        await using var db = await TestDatabase.CreateAsync();
        var random = new Random(seed);
        var spans = new Dictionary<string, (long Project, SpanRecord Span)>(StringComparer.Ordinal);
        var next = 0;
        for (var round = 0; round < 8; round++)
        {
            var batch = new List<ProjectSpan>();
            // New spans, some of them starting before their session's earliest span (a late arrival moving its start hour).
            for (var i = 0; i < random.Next(20, 60); i++)
                batch.Add(Remember(spans, RandomSpan(random, $"span-{next++}", db.Projects)));
            // Re-sent ids: moved to another session, given other tags, metadata or start time.
            foreach (var id in spans.Keys.OrderBy(_ => random.Next()).Take(random.Next(0, 12)).ToList())
                batch.Add(Remember(spans, RandomSpan(random, id, db.Projects)));
            // Several small batches so sessions are upserted across transactions too.
            foreach (var chunk in batch.OrderBy(_ => random.Next()).Chunk(random.Next(5, 30)))
                await db.Storage.SpanWriter.WriteAsync(chunk);

            if (round % 3 == 2)
            {
                var cutoff = Day0 + random.NextInt64(0, 20 * Hour);
                foreach (var project in db.Projects)
                    await db.Storage.Retention.DeleteSpansStartedBeforeAsync(project, cutoff, batchSize: random.Next(3, 20));
                foreach (var gone in spans.Where(s => s.Value.Span.StartMs < cutoff).Select(s => s.Key).ToList())
                    spans.Remove(gone);
            }

            if (round % 4 == 3)
            {
                // The one path that deletes metadata rows of a session that stays: the writer's trim to the
                // MaxValuesPerKeyPerSession smallest values of a key. A burst of calls into a few sessions, with many values,
                // some sorting before the stored ones, so the trim drops stored values and the rollups must follow.
                var burst = new List<ProjectSpan>();
                foreach (var session in Enumerable.Range(0, 3).Select(_ => $"s-{random.Next(25)}"))
                {
                    for (var i = 0; i < 25; i++)
                    {
                        var call = RandomSpan(random, $"span-{next++}", db.Projects);
                        var value = $"{(char)('a' + random.Next(26))}{random.Next(100)}";
                        burst.Add(Remember(spans, call with { Span = call.Span.WithMetadata(("feature", value)) with { SessionId = session } }));
                    }
                }
                foreach (var chunk in burst.OrderBy(_ => random.Next()).Chunk(random.Next(5, 30)))
                    await db.Storage.SpanWriter.WriteAsync(chunk);
            }

            await AssertRollupsEqualRecomputationAsync(db, $"seed {seed}, round {round}");
            await AssertBreakdownsEqualJoinAsync(db, random, $"seed {seed}, round {round}");
        }
    }

    [Fact]
    public async Task Migration_BackfillsTheRollupsFromSessionsWrittenBeforeIt()
    {
        await using var db = await TestDatabase.CreateAsync();
        var random = new Random(5);
        // Every other span meant for the second project, so what each holds is known apart from the ids.
        var sent = Enumerable.Range(0, 200).Select(i => RandomSpan(random, $"span-{i}", [db.Projects[i % 2]])).ToList();
        await db.Storage.SpanWriter.WriteAsync(sent);
        await db.Store.AssertHoldsWhatWasSentAsync(sent.Where((_, i) => i % 2 == 0).Select(s => s.Span), sent.Where((_, i) => i % 2 == 1).Select(s => s.Span));
        // Undo migrations 050, 074 and 195 (tables, column, their records; the triggers of 050 and 074 are gone since 180 and 181), then
        // apply them again over the existing sessions, and the migrations after them that hand their rollups to the writer (180, 181),
        // split their cost in two parts (190), add the "no tag" kind (300, which replaces its own rows) and normalize the user
        // totals' cost into their index (370, whose index reads unpriced_sessions).
        await db.ExecuteAsync("""
            DROP TABLE sessions_hourly; DROP TABLE session_metadata_hourly; DROP TABLE session_metadata_keys_hourly;
            DROP TABLE session_tags_hourly; DROP TABLE session_tagged_hourly; DROP TABLE session_kind_costs;
            DROP INDEX user_totals_by_cost; ALTER TABLE user_session_totals DROP COLUMN unpriced_sessions;
            ALTER TABLE session_rollup_hourly DROP COLUMN cost_high;
            DELETE FROM schema_migrations WHERE version IN (50, 74, 180, 181, 190, 195, 300, 370);
            """);
        await db.Storage.Database.MigrateAsync();

        Assert.True(await db.ScalarAsync("SELECT COUNT(*) FROM session_metadata_hourly") > 0);
        await AssertRollupsEqualRecomputationAsync(db, "after backfill");
        // And later writes keep them exact (the writer's deltas, and no trigger left counting twice).
        await db.Storage.SpanWriter.WriteAsync(Enumerable.Range(0, 50).Select(i => RandomSpan(random, $"span-{i * 3}", db.Projects)).ToList());
        await AssertRollupsEqualRecomputationAsync(db, "after writes following the backfill");
    }

    [Fact]
    public async Task Migration190_RecomputesTheRowsOfAProjectWhoseRollupOverflowed()
    {
        await using var db = await TestDatabase.CreateAsync();
        var random = new Random(7);
        await db.Storage.SpanWriter.WriteAsync(Enumerable.Range(0, 200).Select(i => RandomSpan(random, $"span-{i}", db.Projects)).ToList());
        // What an hour past 2^63 picodollars left before 190: one cost column, turned into a REAL by the overflowing sum.
        await db.ExecuteAsync("""
            ALTER TABLE session_rollup_hourly DROP COLUMN cost_high; ALTER TABLE sessions_hourly DROP COLUMN cost_high;
            ALTER TABLE session_tagged_hourly DROP COLUMN cost_high; ALTER TABLE session_tags_hourly DROP COLUMN cost_high;
            ALTER TABLE session_metadata_keys_hourly DROP COLUMN cost_high; ALTER TABLE session_metadata_hourly DROP COLUMN cost_high;
            UPDATE sessions_hourly SET cost_pico = 1e19 WHERE hour = (SELECT MIN(hour) FROM sessions_hourly);
            UPDATE session_tags_hourly SET cost_pico = 1e19 WHERE hour = (SELECT MAX(hour) FROM session_tags_hourly);
            DELETE FROM schema_migrations WHERE version = 190;
            """);
        Assert.True(await db.ScalarAsync("SELECT COUNT(*) FROM sessions_hourly WHERE typeof(cost_pico) = 'real'") > 0);

        await db.Storage.Database.MigrateAsync();

        await AssertRollupsEqualRecomputationAsync(db, "after migration 190");
    }

    [Fact]
    public async Task Backfill_RecomputesEveryWriterKeptRollup_FromTheStoredRows()
    {
        await using var db = await TestDatabase.CreateAsync();
        var random = new Random(11);
        await db.Storage.SpanWriter.WriteAsync(Enumerable.Range(0, 200).Select(i => RandomSpan(random, $"span-{i}", db.Projects)).ToList());
        var sessions = await db.ScalarAsync("SELECT coalesce(SUM(sessions), 0) FROM project_session_counts");
        var traces = await db.ScalarAsync("SELECT coalesce(SUM(traces), 0) FROM project_trace_counts");
        // What a bulk loader that inserts rows itself leaves: rollups that do not match the rows.
        await db.ExecuteAsync("""
            DELETE FROM sessions_hourly; DELETE FROM session_metadata_hourly; DELETE FROM session_metadata_keys_hourly;
            DELETE FROM session_tags_hourly; DELETE FROM session_tagged_hourly; DELETE FROM user_session_totals; DELETE FROM session_kind_costs;
            DELETE FROM session_cost_bands_daily; DELETE FROM session_kind_rollup_daily; DELETE FROM session_kind_cost_bands_daily;
            UPDATE project_session_counts SET sessions = 0; DELETE FROM project_trace_counts;
            """);

        await using (var connection = await db.Storage.Database.OpenAsync())
            SessionRollupBackfill.Run(connection);

        await AssertRollupsEqualRecomputationAsync(db, "after the backfill");
        Assert.Equal(sessions, await db.ScalarAsync("SELECT SUM(sessions) FROM project_session_counts"));
        Assert.Equal(traces, await db.ScalarAsync("SELECT SUM(traces) FROM project_trace_counts"));
        Assert.Equal(await db.ScalarAsync("SELECT COUNT(*) FROM sessions"), sessions);
        Assert.Equal(await db.ScalarAsync("SELECT COUNT(*) FROM traces"), traces);
    }

    [Fact]
    public async Task NoTrigger_KeepsASessionRollup_TheWriterOwnsThemAll()
    {
        // Issue 15: one mechanism for every session rollup, the writer's signed deltas (they port to a summing table; a
        // trigger per session, tag or metadata row does not, and the per-kind ones were the writer's largest cost).
        await using var db = await TestDatabase.CreateAsync();
        // The search index's triggers (160) stay: an FTS index kept beside the session name, not a sum.
        var triggers = await db.ScalarAsync("""
            SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('sessions', 'session_tags', 'session_metadata')
              AND name NOT LIKE 'sessions\_search\_%' ESCAPE '\'
            """);
        Assert.Equal(0, triggers);
    }

    [Fact]
    public async Task Breakdown_OverWholeHours_IsReadFromTheRollup()
    {
        await using var db = await TestDatabase.CreateAsync();
        var project = db.Projects[0];
        await db.Storage.SpanWriter.WriteAsync([
            new ProjectSpan(project, TestSpans.Llm("a", "s1", Day0 + 10 * Hour + 5).WithMetadata(("feature", "chat")).WithTags("beta")),
            new ProjectSpan(project, TestSpans.Llm("b", "s2", Day0 + 11 * Hour + 5)),
        ]);
        // Tamper with the rollups only: a breakdown over whole hours must show it, a breakdown over part of an hour must not.
        await db.ExecuteAsync("UPDATE session_metadata_hourly SET cost_pico = cost_pico + 7; UPDATE session_tags_hourly SET cost_pico = cost_pico + 7");
        var window = new SessionFilter { FromMs = Day0, ToMs = Day0 + Day };
        var byFeature = await db.Storage.Sessions.BreakdownAsync(project, new SessionGrouping.ByMetadata("feature"), window, 10);
        var byTag = await db.Storage.Sessions.BreakdownAsync(project, new SessionGrouping.ByTag(), window, 10);
        Assert.Equal(1_000_007, byFeature.Single(g => g.Group == "chat").TotalCostPico);
        Assert.Equal(1_000_007, byTag.Single(g => g.Group == "beta").TotalCostPico);
        Assert.Equal(1_000_000, byFeature.Single(g => g.Group is null).TotalCostPico); // s2: no feature

        var partialHour = new SessionFilter { FromMs = Day0 + 10 * Hour + 1, ToMs = Day0 + 11 * Hour - 1 };
        Assert.Equal(1_000_000, (await db.Storage.Sessions.BreakdownAsync(project, new SessionGrouping.ByMetadata("feature"), partialHour, 10)).Single().TotalCostPico);
    }

    [Fact]
    public async Task Breakdown_SessionWithTwoValues_CountsInBoth_AndTheNullGroupOnlyHoldsSessionsWithoutAny()
    {
        await using var db = await TestDatabase.CreateAsync();
        var project = db.Projects[0];
        await db.Storage.SpanWriter.WriteAsync([
            new ProjectSpan(project, TestSpans.Llm("a1", "two", Day0 + Hour).WithMetadata(("feature", "chat"))),
            new ProjectSpan(project, TestSpans.Llm("a2", "two", Day0 + Hour + 10).WithMetadata(("feature", "search"))),
            new ProjectSpan(project, TestSpans.Llm("b1", "none", Day0 + 2 * Hour, costPico: 5)),
        ]);
        var groups = await db.Storage.Sessions.BreakdownAsync(project, new SessionGrouping.ByMetadata("feature"), new SessionFilter { FromMs = Day0, ToMs = Day0 + Day }, 10);
        Assert.Equal([("chat", 1L, 2_000_000L), ("search", 1L, 2_000_000L), (null, 1L, 5L)],
            groups.Select(g => (g.Group, g.Sessions, g.TotalCostPico)).ToArray());
    }

    private static ProjectSpan Remember(Dictionary<string, (long, SpanRecord)> spans, ProjectSpan span)
    {
        spans[span.Span.Id] = (span.ProjectId, span.Span);
        return span;
    }

    private static ProjectSpan RandomSpan(Random random, string id, long[] projects)
    {
        // Starts within two days, some at exact hour boundaries, so windows cut sessions at and around the hour edges.
        var start = Day0 + random.NextInt64(0, 48) * Hour + (random.NextDouble() < 0.2 ? 0 : random.NextInt64(-2, Hour));
        var span = TestSpans.Llm(id, $"s-{random.Next(25)}", start, inputTokens: random.Next(1, 900), outputTokens: random.Next(0, 300),
            costPico: random.NextDouble() < 0.1 ? null : random.NextInt64(1, 5_000_000));
        var values = new List<(string, string)>();
        if (random.NextDouble() < 0.7) values.Add(("feature", $"f{random.Next(4)}"));
        if (random.NextDouble() < 0.5) values.Add(("plan", random.NextDouble() < 0.5 ? "free" : "pro"));
        if (random.NextDouble() < 0.1) values.Add(("rare", $"r{random.Next(2)}"));
        if (values.Count > 0)
            span = span.WithMetadata([.. values]);
        span = span.WithTags([.. Tags.Where(_ => random.NextDouble() < 0.25)]);
        if (random.NextDouble() < 0.1)
            span = span with { Kind = SpanKind.Span, Name = "step" }; // not an LLM call: belongs to no session aggregate
        return new ProjectSpan(projects[random.Next(projects.Length)], span);
    }

    private static async Task AssertBreakdownsEqualJoinAsync(TestDatabase db, Random random, string context)
    {
        for (var i = 0; i < 12; i++)
        {
            long? from = random.NextDouble() < 0.15 ? null : Day0 - Hour + random.NextInt64(0, 50 * Hour);
            long? to = random.NextDouble() < 0.15 ? null : (from ?? Day0) + random.NextInt64(-Hour, 30 * Hour);
            if (random.NextDouble() < 0.2 && from is not null)
                from -= from % Hour; // an exact hour edge
            var filter = new SessionFilter { FromMs = from, ToMs = to };
            var limit = random.NextDouble() < 0.3 ? random.Next(1, 4) : 50;
            foreach (var project in db.Projects)
            {
                foreach (var key in Keys)
                {
                    var actual = await db.Storage.Sessions.BreakdownAsync(project, new SessionGrouping.ByMetadata(key), filter, limit);
                    Assert.True(Same(await db.ReferenceAsync("g.value", $"session_metadata g ON g.project_id = s.project_id AND g.session_id = s.session_id AND g.key = '{key}'", project, from, to, limit), actual),
                        $"{context}: metadata.{key} [{from}, {to}) limit {limit}, project {project}");
                }
                var tags = await db.Storage.Sessions.BreakdownAsync(project, new SessionGrouping.ByTag(), filter, limit);
                Assert.True(Same(await db.ReferenceAsync("g.tag", "session_tags g ON g.project_id = s.project_id AND g.session_id = s.session_id", project, from, to, limit), tags),
                    $"{context}: tags [{from}, {to}) limit {limit}, project {project}");
            }
        }
    }

    private static bool Same(IReadOnlyList<SessionGroupCost> expected, IReadOnlyList<SessionGroupCost> actual) => expected.SequenceEqual(actual);

    /// <summary>Every rollup row equals the same figure recomputed from sessions, session_metadata and session_tags; no zero rows stay.</summary>
    private static async Task AssertRollupsEqualRecomputationAsync(TestDatabase db, string context)
    {
        const string H = "(s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000)";
        const string D = "(s.started_ms - ((s.started_ms % 86400000) + 86400000) % 86400000)";
        const string Sums = "COUNT(*), SUM(s.cost_pico), SUM(s.turns), SUM(s.total_tokens), SUM(s.unpriced_calls = s.turns)";
        const string Kinds = """
            (SELECT project_id, session_id, 0 AS dim, '' AS key, tag AS kind FROM session_tags
             UNION ALL SELECT DISTINCT project_id, session_id, 2, '', '' FROM session_tags
             UNION ALL SELECT project_id, session_id, 1, key, value FROM session_metadata
             UNION ALL SELECT DISTINCT project_id, session_id, 3, key, '' FROM session_metadata
             UNION ALL SELECT project_id, session_id, 4, '', '' FROM sessions n
                       WHERE NOT EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = n.project_id AND t.session_id = n.session_id))
            """;
        var pairs = new (string Table, string Recomputed)[]
        {
            ("SELECT project_id, hour, sessions, cost_high * 4294967296 + cost_pico, turns, total_tokens, unpriced_sessions FROM sessions_hourly",
             $"SELECT s.project_id, {H}, {Sums} FROM sessions s GROUP BY 1, 2"),
            ("SELECT project_id, key, hour, value, sessions, cost_high * 4294967296 + cost_pico, turns, total_tokens, unpriced_sessions FROM session_metadata_hourly",
             $"SELECT s.project_id, m.key, {H}, m.value, {Sums} FROM session_metadata m JOIN sessions s ON s.project_id = m.project_id AND s.session_id = m.session_id GROUP BY 1, 2, 3, 4"),
            ("SELECT project_id, key, hour, sessions, cost_high * 4294967296 + cost_pico, turns, total_tokens, unpriced_sessions FROM session_metadata_keys_hourly",
             $"SELECT s.project_id, k.key, {H}, {Sums} FROM (SELECT DISTINCT project_id, session_id, key FROM session_metadata) k JOIN sessions s ON s.project_id = k.project_id AND s.session_id = k.session_id GROUP BY 1, 2, 3"),
            ("SELECT project_id, hour, tag, sessions, cost_high * 4294967296 + cost_pico, turns, total_tokens, unpriced_sessions FROM session_tags_hourly",
             $"SELECT s.project_id, {H}, t.tag, {Sums} FROM session_tags t JOIN sessions s ON s.project_id = t.project_id AND s.session_id = t.session_id GROUP BY 1, 2, 3"),
            ("SELECT project_id, hour, sessions, cost_high * 4294967296 + cost_pico, turns, total_tokens, unpriced_sessions FROM session_tagged_hourly",
             $"SELECT s.project_id, {H}, {Sums} FROM sessions s WHERE EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = s.project_id AND t.session_id = s.session_id) GROUP BY 1, 2"),
            ("SELECT project_id, has_user, user_id, sessions, cost_high * 4294967296 + cost_low, turns, total_tokens, unpriced_sessions FROM user_session_totals WHERE sessions <> 0",
             $"SELECT s.project_id, s.user_id IS NOT NULL, coalesce(s.user_id, ''), {Sums} FROM sessions s GROUP BY 1, 2, 3"),
            ("SELECT project_id, dim, key, kind, cost_band, day, cost_pico, sessions FROM session_kind_costs",
             $"""
             SELECT s.project_id, k.dim, k.key, k.kind, s.cost_band, {D}, s.cost_pico, COUNT(*)
             FROM {Kinds} k
             JOIN sessions s ON s.project_id = k.project_id AND s.session_id = k.session_id
             WHERE s.unpriced_calls < s.turns GROUP BY 1, 2, 3, 4, 5, 6, 7
             """),
            // Triggers (140, 170) left rows at 0 sessions; the writer deletes them (250). Either way only non-zero rows count.
            ("SELECT project_id, day, cost_band, sessions FROM session_cost_bands_daily WHERE sessions <> 0",
             $"SELECT s.project_id, {D}, s.cost_band, COUNT(*) FROM sessions s WHERE s.unpriced_calls < s.turns GROUP BY 1, 2, 3"),
            ("SELECT project_id, dim, key, kind, day, errored, turns, sessions, priced_sessions, cost_high * 4294967296 + cost_low FROM session_kind_rollup_daily WHERE sessions <> 0",
             $"""
             SELECT s.project_id, k.dim, k.key, k.kind, {D}, s.error_count > 0, s.turns, COUNT(*), SUM(s.unpriced_calls < s.turns), SUM(s.cost_high * 4294967296 + s.cost_pico)
             FROM {Kinds} k JOIN sessions s ON s.project_id = k.project_id AND s.session_id = k.session_id GROUP BY 1, 2, 3, 4, 5, 6, 7
             """),
            ("SELECT project_id, dim, key, kind, day, cost_band, sessions FROM session_kind_cost_bands_daily WHERE sessions <> 0",
             $"""
             SELECT s.project_id, k.dim, k.key, k.kind, {D}, s.cost_band, COUNT(*)
             FROM {Kinds} k JOIN sessions s ON s.project_id = k.project_id AND s.session_id = k.session_id
             WHERE s.unpriced_calls < s.turns GROUP BY 1, 2, 3, 4, 5, 6
             """),
        };
        foreach (var (table, recomputed) in pairs)
        {
            var differences = await db.ScalarAsync($"SELECT (SELECT COUNT(*) FROM ({table} EXCEPT {recomputed})) + (SELECT COUNT(*) FROM ({recomputed} EXCEPT {table}))");
            Assert.True(differences == 0, $"{context}: {differences} rows differ between [{table}] and its recomputation");
        }
        Assert.True(await db.ScalarAsync("SELECT COUNT(*) FROM sessions") > 0, $"{context}: the test wrote no sessions");
    }

    /// <summary>A <see cref="SeededStore"/> with projects "p" and "q", and the reference breakdown read from its sessions.</summary>
    private sealed class TestDatabase(SeededStore store) : IAsyncDisposable
    {
        public SqliteStorage Storage => store.Storage;
        public long[] Projects => store.Projects;
        public SeededStore Store => store;

        public static async Task<TestDatabase> CreateAsync() => new(await SeededStore.CreateAsync(Plan.Free, "p", "q"));

        public Task ExecuteAsync(string sql) => Storage.Database.ExecuteAsync(sql);

        public Task<long> ScalarAsync(string sql) => Storage.Database.ScalarAsync(sql);

        /// <summary>The breakdown as the join over the sessions answered it before the rollups (the reference).</summary>
        public async Task<List<SessionGroupCost>> ReferenceAsync(string groupColumn, string join, long project, long? from, long? to, int limit)
        {
            await using var connection = await Storage.Database.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT {groupColumn}, COUNT(*), SUM(s.cost_pico), SUM(s.turns), SUM(s.total_tokens), SUM(s.unpriced_calls = s.turns) FROM sessions s LEFT JOIN {join}
                WHERE s.project_id = $p AND ($from IS NULL OR s.started_ms >= $from) AND ($to IS NULL OR s.started_ms < $to)
                GROUP BY {groupColumn} ORDER BY COUNT(*) = SUM(s.unpriced_calls = s.turns), SUM(s.cost_pico) DESC, {groupColumn} LIMIT $limit
                """;
            command.Parameters.AddWithValue("$p", project);
            command.Parameters.AddWithValue("$from", (object?)from ?? DBNull.Value);
            command.Parameters.AddWithValue("$to", (object?)to ?? DBNull.Value);
            command.Parameters.AddWithValue("$limit", limit);
            var groups = new List<SessionGroupCost>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                groups.Add(new SessionGroupCost(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
            return groups;
        }

        public ValueTask DisposeAsync() => store.DisposeAsync();
    }
}
