using System.Globalization;
using System.Text;
using System.Text.Json;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// Every DDL and query the backend can send runs on ClickHouse 18.16 (the Debian cluster) and ClickHouse 26 (libchdb)
/// over the same rows, and both must give the same answer: a statement only one version accepts, or that means
/// something different in one of them, fails here.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class DialectTests(ClickHouseCluster cluster)
{
    private static readonly Chdb Engine = Chdb.Instance;

    [Fact]
    public void EveryMigration_RunsOnClickHouse26_AndTheClusterVariantParses()
    {
        var database = "zespan_dialect_" + Guid.NewGuid().ToString("N")[..8];
        Engine.Query(ClickHouseSchema.CreateDatabase(database, null), "TSV");
        Engine.Query(ClickHouseSchema.MigrationsTable(database, null), "TSV");
        var statements = ClickHouseSchema.Migrations(database, null).SelectMany(m => m.Statements).ToList();
        Assert.NotEmpty(statements);
        foreach (var statement in statements)
            Engine.Query(statement, "TSV");
        Assert.Contains("session_spans", Engine.Query($"SHOW TABLES FROM {database}", "TSV"));

        // Replicated engines need ZooKeeper and ON CLUSTER a cluster, which libchdb has not: ClickHouse 26 parses them.
        var clustered = ClickHouseSchema.Migrations(database, "zespan").SelectMany(m => m.Statements)
            .Prepend(ClickHouseSchema.MigrationsTable(database, "zespan")).Prepend(ClickHouseSchema.CreateDatabase(database, "zespan"));
        foreach (var statement in clustered)
            Engine.Query("EXPLAIN AST " + statement, "TSV");
    }

    [Fact]
    public async Task TheSingleServerSchema_MigratesOnClickHouse18_OnceOnly()
    {
        var settings = cluster.NewDatabase(onCluster: false);
        var backend = await ClickHouseBackend.CreateAsync(settings);
        try
        {
            await new ClickHouseMigrator(backend.Http, TimeProvider.System).InitializeAsync(); // a second server starting: nothing to do
            var applied = await backend.Http.QueryAsync($"SELECT number, count() FROM {settings.Database}.zespan_migrations GROUP BY number FORMAT JSONCompact", null, r => r[0].GetInt32());
            Assert.Equal(ClickHouseSchema.Migrations(settings.Database, null).Count, applied.Count);
            var engines = await backend.Http.QueryAsync(
                $"SELECT name, engine FROM system.tables WHERE database = {{db:String}} ORDER BY name FORMAT JSONCompact", new Dictionary<string, object?> { ["db"] = settings.Database },
                r => (Name: r[0].GetString(), Engine: r[1].GetString()));
            Assert.Contains(("session_spans", "ReplacingMergeTree"), engines);
        }
        finally
        {
            await backend.DropAsync();
        }
    }

    [Fact]
    public async Task EveryQuery_GivesTheSameRows_OnClickHouse18ClusterAndClickHouse26()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var projectId = 1_000_000_000 + Random.Shared.Next(1_000_000);
        var (spans, contents) = SampleRows(projectId);

        await backend.Http.InsertAsync("session_spans", spans);
        await backend.Http.InsertAsync("span_content", contents);
        // A threshold under the sample's gaps (900 ms), so idle time is not zero everywhere.
        object[] threshold = [new { ProjectId = projectId, IdleGapMs = 500L, Version = 1UL }];
        await backend.Http.InsertAsync("session_idle_thresholds", threshold);

        var local = "zespan_dialect_" + Guid.NewGuid().ToString("N")[..8];
        Engine.Query(ClickHouseSchema.CreateDatabase(local, null), "TSV");
        foreach (var statement in ClickHouseSchema.Migrations(local, null).SelectMany(m => m.Statements))
            Engine.Query(statement, "TSV");
        InsertOnEngine(local, "session_spans", spans);
        InsertOnEngine(local, "span_content", contents);
        InsertOnEngine(local, "session_idle_thresholds", threshold);

        // Session rows as the writer keeps them: the project's, then a recompute of named sessions (s4 has no live call left).
        var clusterSql = backend.Sql;
        var localSql = new ClickHouseSql(local);
        var everySession = new Dictionary<string, object?> { ["project"] = projectId, ["version"] = 6UL, ["sessions"] = new[] { "s1", "s2", "s3", "s4", "s5" }, ["moved_span_ids"] = new[] { "b1" } };
        var recompute = new Dictionary<string, object?> { ["project"] = projectId, ["version"] = 7UL, ["sessions"] = new[] { "s1", "s4" }, ["moved_span_ids"] = new[] { "a1", "d1" } };
        foreach (var sessions in new[] { everySession, recompute })
        {
            await backend.Http.ExecuteAsync(clusterSql.InsertSessionRows(clusterSql.SessionRowsOf), sessions);
            Engine.Query(SqlBinder.Bind(localSql.InsertSessionRows(localSql.SessionRowsOf), sessions), "TSV");
        }

        // Trace rows as the writer keeps them: every trace (t4 has no live span left), then a recompute of two.
        string[] everySpan = ["a1", "a2", "b1", "c1", "w1", "d1", "e1", "e2"], everySessionOrNone = ["s1", "s2", "s3", "s4", "s5", ""];
        var everyTrace = new Dictionary<string, object?> { ["project"] = projectId, ["version"] = 6UL, ["traces"] = new[] { "t1", "t2", "t3", "t4", "t5" }, ["ids"] = everySpan, ["sessions"] = everySessionOrNone };
        var traceRecompute = new Dictionary<string, object?> { ["project"] = projectId, ["version"] = 7UL, ["traces"] = new[] { "t1", "t4" }, ["ids"] = everySpan, ["sessions"] = everySessionOrNone };
        foreach (var traces in new[] { everyTrace, traceRecompute })
        {
            await backend.Http.ExecuteAsync(clusterSql.InsertTraceRows(clusterSql.TraceRowsOf), traces);
            Engine.Query(SqlBinder.Bind(localSql.InsertTraceRows(localSql.TraceRowsOf), traces), "TSV");
        }
        // A trace written whole: its row folded by the writer and sent as values, newer than t2's recompute.
        List<TraceRow> folded = [TraceRow.Of(projectId, "t2", spans.Where(r => r.TraceId == "t2").GroupBy(r => r.SpanId).Select(g => g.MaxBy(r => r.Version)!).ToList(), 8UL)];
        await backend.Http.InsertAsync("trace_rows", folded);
        InsertOnEngine(local, "trace_rows", folded);

        var parameters = new Dictionary<string, object?>
        {
            ["traces"] = new[] { "t1", "t2", "t4" }, ["shares"] = 2UL, ["share"] = 1UL,
            ["project"] = projectId, ["session"] = "s1", ["trace"] = "t1", ["user"] = "u1", ["ids"] = new[] { "a1", "a2", "b1", "w1" }, ["sessions"] = new[] { "s1", "" }, ["moved_span_ids"] = new[] { "a1" },
            ["from"] = 0L, ["to"] = 4_000_000_000_000L, ["min_turns"] = 1L, ["after_unknown"] = 0L, ["after_value"] = 1_500L, ["after_pico"] = 7L,
            ["after_id"] = "s1", ["limit"] = 10L, ["candidates"] = 4L, ["threshold_at"] = 3L, ["meta_key"] = "feature", ["model"] = "gpt-4o", ["after_started"] = 4_000_000_000_000L,
            ["cutoff"] = 2_500L, ["batch"] = 100L, ["first"] = 0L, ["bucket"] = 1_000L,
            ["max_turns"] = 9L, ["min_active"] = 0L, ["max_active"] = 4_000_000_000_000L, ["q"] = "S", ["months"] = new[] { 197001L },
            ["version"] = 9UL, ["idle_gap"] = 500L, ["skip"] = 0L, ["take"] = 2L, ["end"] = 2L,
            ["settled"] = ulong.MaxValue, ["since"] = 1UL, ["id_limit"] = 10L, ["written_after"] = 0UL, ["band_from"] = 0L, ["band_to"] = 2_000L, ["band2_from"] = 3_000L, ["band2_to"] = 200_000L,
            ["hours_from"] = 0L, ["hours_to"] = 0L,
            // Two partial parts of the sample's hour (hour 0): after a cut at 1,500 and before one at 2,500.
            ["edge1_hour"] = 0L, ["edge1_from"] = 1_500L, ["edge1_to"] = 3_600_000L, ["edge1_started"] = 1_500L, ["edge1_ended"] = long.MaxValue,
            ["edge2_hour"] = 0L, ["edge2_from"] = 0L, ["edge2_to"] = 2_500L, ["edge2_started"] = long.MinValue, ["edge2_ended"] = 2_500L,
            ["straddling1"] = new[] { "s1" }, ["straddling2"] = new[] { "s1", "s2" },
            // What each of ids would take from an ancestor (trace-context inheritance).
            ["inherit_sessions"] = new[] { "s9", "", "s9", "s9" }, ["inherit_users"] = new[] { "u9", "u9", "", "u9" },
            ["user_texts"] = new[] { "first question", "second", "third", "fourth" },
        };
        int checkedStatements = 0, withRows = 0, shapeOnly = 0;
        foreach (var ((name, onCluster), (_, onLocal)) in clusterSql.AllForDialectCheck().Zip(localSql.AllForDialectCheck()))
        {
            var old = await backend.Http.QueryAsync(onCluster, parameters, r => r.Select(Cell).ToArray());
            var current = Engine.Query(SqlBinder.Bind(onLocal, parameters));
            var ordered = onCluster.Contains(" ORDER BY ", StringComparison.Ordinal);
            if (name == "ProjectsWrittenAfter")
            {
                // Every project's: the cluster's database is shared by the suite's tests, so it also lists theirs.
                Assert.Contains(projectId, old.Select(r => long.Parse(r[0], CultureInfo.InvariantCulture)));
                Assert.Equal([projectId], Rows(current).Select(r => long.Parse(r[0], CultureInfo.InvariantCulture)));
                checkedStatements++;
                withRows++;
                continue;
            }
            if (name == "OldestLiveRowStart")
            {
                // A bound over raw rows, not a figure: it depends on which versions merges have collapsed yet (the single
                // engine merges the sample's re-sends at once). Both must accept it and find live rows before the cutoff.
                var single = Rows(current);
                Assert.True(old.Count == 1 && single.Count == 1 && long.Parse(old[0][1], CultureInfo.InvariantCulture) > 0
                    && long.Parse(single[0][1], CultureInfo.InvariantCulture) > 0, $"{name}: {Normalize(old, false)} on the cluster, {Normalize(single, false)} on 26");
                shapeOnly++;
                continue;
            }
            if (name.StartsWith("TracePageOfCandidates", StringComparison.Ordinal))
            {
                // Each shard's first {candidates} row versions: on two shards a superset of the single engine's first ones,
                // so every trace 26 answers must be there with the same figures (TraceRowTests checks the page itself).
                var single = Rows(current).Select(r => string.Join("|", r)).ToList();
                var onShards = old.Select(r => string.Join("|", r)).ToHashSet(StringComparer.Ordinal);
                Assert.True(single.All(onShards.Contains), $"{name}: {string.Join(" / ", single)} on 26 not all in {string.Join(" / ", onShards)}");
                shapeOnly++;
                continue;
            }
            if (name == "SpanRowsOfProject")
            {
                // Raw rows, as OldestLiveRowStart: how many depends on the merges. Both must count some.
                Assert.True(long.Parse(old[0][0], CultureInfo.InvariantCulture) > 0 && long.Parse(Rows(current)[0][0], CultureInfo.InvariantCulture) > 0, name);
                shapeOnly++;
                continue;
            }
            if (name.StartsWith("TraceCandidateThresholds", StringComparison.Ordinal))
            {
                // As CandidateThresholds below: (start, trace id) per shard with enough rows; TraceRowTests checks the meaning.
                var single = Rows(current);
                Assert.True(old.Count <= cluster.ShardUrls.Count && single.Count <= 1, $"{name}: {old.Count} rows on the cluster, {single.Count} on 26");
                Assert.All(old.Concat(single), r => Assert.Equal(2, r.Length));
                shapeOnly++;
                continue;
            }
            if (name.StartsWith("CandidateThresholds", StringComparison.Ordinal))
            {
                // One row per shard that has enough rows, so the answers differ by layout: the cluster's two shards each
                // hold part of the sample, the single engine all of it. Both must accept it and answer in its shape;
                // SessionPageCandidateTests checks what the rows mean on the cluster.
                var single = Rows(current);
                Assert.True(old.Count <= cluster.ShardUrls.Count && single.Count <= 1, $"{name}: {old.Count} rows on the cluster, {single.Count} on 26");
                Assert.All(old.Concat(single), r => Assert.Equal(ClickHouseSql.SortKey(Enum.Parse<SessionSort>(name.Split(' ')[1])).Length + 1, r.Length));
                shapeOnly++;
                continue;
            }
            Assert.True(Normalize(old, ordered) == Normalize(Rows(current), ordered),
                $"{name}: ClickHouse 18.16 and 26 differ.\n18.16: {Normalize(old, ordered)}\n26:    {Normalize(Rows(current), ordered)}");
            checkedStatements++;
            withRows += old.Count > 0 ? 1 : 0;
        }
        Assert.True(checkedStatements > 90 && shapeOnly > 0, $"only {checkedStatements} statements were checked ({shapeOnly} more by their shape)");
        // Agreement on empty answers proves little: most statements must return rows from the sample.
        Assert.True(withRows > checkedStatements / 2, $"only {withRows} of {checkedStatements} statements returned rows");
    }

    /// <summary>Spans with re-sends (a moved session, a changed model), a retention tombstone, tags, metadata and separate content.</summary>
    private static (List<SpanRow> Spans, List<ContentRow> Contents) SampleRows(long projectId)
    {
        SpanRecord Llm(string id, string trace, string? session, string? user, long start, long? cost, string model = "gpt-4o") => new()
        {
            Id = id, TraceId = trace, SessionId = session, UserId = user, Name = "chat " + id, Kind = SpanKind.Llm, Model = model,
            StartMs = start, EndMs = start + 100, Usage = new TokenUsage(10, 5, 2, 1), CostPico = cost, Tags = ["beta"],
            MetadataValues = new Dictionary<string, string> { ["feature"] = "chat" },
            InputJson = $$"""[{"role":"user","content":"Hi from {{id}}"}]""", UsageReported = id != "b1",
        };
        var spans = new List<SpanRow>
        {
            SpanRow.Of(projectId, Llm("a1", "t1", "s1", "u1", 1_000, 100), 1),
            SpanRow.Of(projectId, Llm("a2", "t1", "s1", null, 2_000, null), 1),
            SpanRow.Of(projectId, Llm("a2", "t1", "s1", "u2", 2_000, 300, "gpt-4o-mini") with { SessionName = "Checkout help" }, 2),
            SpanRow.Of(projectId, Llm("b1", "t2", "s2", "u1", 3_000, 50), 1),
            SpanRow.Of(projectId, Llm("b1", "t2", "s1", "u1", 3_000, 70), 2), // re-sent into another session (another shard)
            SpanRow.Of(projectId, Llm("c1", "t3", "s3", "u3", 500, 5) with { Status = SpanStatus.Error, Error = "boom" }, 1),
            SpanRow.Of(projectId, new SpanRecord { Id = "w1", TraceId = "t1", Name = "root", StartMs = 900, EndMs = 2_500 }, 1),
            SpanRow.Of(projectId, Llm("d1", "t4", "s4", null, 100, 1), 1) with { },
            // A session and a trace past 2^63 picodollars: their exact sums (two Int64 parts) must agree too.
            SpanRow.Of(projectId, Llm("e1", "t5", "s5", "u1", 4_000, 5_000_000 * Money.PicoPerUsd), 1),
            SpanRow.Of(projectId, Llm("e2", "t5", "s5", "u1", 4_100, 5_000_000 * Money.PicoPerUsd + 999_999_999_999), 1),
        };
        spans.Add(new SpanRow { ProjectId = projectId, SpanId = "d1", TraceId = "t4", SessionId = "s4", HasSession = 1, StartMs = 100, Version = 2, Deleted = 1 });
        var contents = new List<ContentRow> { new(projectId, "a2", "[\"late\"]", 1, "\"answer\"", 1, 5) };
        return (spans, contents);
    }

    /// <summary>The writer's INSERT of <paramref name="rows"/> into <paramref name="table"/>, the same statement and body, run on ClickHouse 26.</summary>
    private static void InsertOnEngine<T>(string database, string table, IEnumerable<T> rows) =>
        Engine.Query(ClickHouseHttp.InsertStatement(database, table) + "\n" + Encoding.UTF8.GetString(ClickHouseHttp.JsonEachRow(rows).Span), "TSV");

    /// <summary>chDB's answer as the cluster's is mapped: each row's cells as text (<see cref="Cell"/>).</summary>
    private static List<string[]> Rows(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("data").EnumerateArray().Select(r => r.EnumerateArray().Select(Cell).ToArray()).ToList();
    }

    /// <summary>Rows as text, arrays sorted (groupUniqArray has no order), rows sorted unless the statement orders them.</summary>
    private static string Normalize(List<string[]> rows, bool ordered)
    {
        var texts = rows.Select(r => string.Join("|", r)).ToList();
        if (!ordered)
            texts.Sort(StringComparer.Ordinal);
        return string.Join("\n", texts);
    }

    private static string Cell(JsonElement cell) => cell.ValueKind switch
    {
        JsonValueKind.Array => "[" + string.Join(",", cell.EnumerateArray().Select(Cell).Order(StringComparer.Ordinal)) + "]",
        JsonValueKind.String => cell.GetString()!,
        _ => cell.GetRawText(),
    };
}
