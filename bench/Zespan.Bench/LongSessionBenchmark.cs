using System.Diagnostics;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Sqlite;

namespace Zespan.Bench;

/// <summary>
/// How long one write holds the single writer in a long session whose calls carry per-call metadata values
/// (timeToFirstTokenMs and a request id, as SDKs send them): the 1,000-span batches that build the session, a re-sent
/// unchanged span (an SDK retry), a changed span (the session is rebuilt) and one retention batch of 1,000 spans.
/// In-process against the real SqliteSpanWriter and SqliteRetentionStore, wall clock per call.
/// </summary>
public sealed class LongSessionBenchmark(int turns, int runs)
{
    private const long Start = 1_795_000_000_000; // 2026-11-18, a fixed past time

    public async Task RunAsync()
    {
        var data = Directory.CreateTempSubdirectory("zespan-bench-long-session-").FullName;
        try
        {
            var storage = new SqliteStorage(Path.Combine(data, "zespan.db"), TimeProvider.System);
            await storage.Database.MigrateAsync();
            Console.WriteLine($"Long session: {turns:N0} turns, per-call metadata (timeToFirstTokenMs, requestId), {runs} runs per figure");

            var batches = new List<double>();
            foreach (var chunk in Enumerable.Range(0, turns).Chunk(1_000))
                batches.Add(await TimeAsync(() => storage.SpanWriter.WriteAsync([.. chunk.Select(i => new ProjectSpan(1, Call(i)))])));
            Console.WriteLine($"  1,000-span batches building it: median {Stats.Median(batches):N1} ms, worst {batches.Max():N1} ms");

            var resend = new List<double>();
            var changed = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                resend.Add(await TimeAsync(() => storage.SpanWriter.WriteAsync([new ProjectSpan(1, Call(turns / 2))])));
                changed.Add(await TimeAsync(() => storage.SpanWriter.WriteAsync([new ProjectSpan(1, Call(turns / 2) with { Usage = new TokenUsage(900, 100 + run, 0, 0) })])));
            }
            Console.WriteLine($"  re-send of an unchanged span: median {Stats.Median(resend):N2} ms, worst {resend.Max():N2} ms");
            Console.WriteLine($"  re-send of a changed span (rebuild): median {Stats.Median(changed):N1} ms, worst {changed.Max():N1} ms");

            var retention = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                var cutoff = Start + (run + 1) * 1_000L * 1_000; // the next 1,000 calls, one batch
                retention.Add(await TimeAsync(() => storage.Retention.DeleteSpansStartedBeforeAsync(1, cutoff, batchSize: 1_000)));
            }
            Console.WriteLine($"  retention batch of 1,000 spans: median {Stats.Median(retention):N1} ms, worst {retention.Max():N1} ms");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<double> TimeAsync(Func<Task> write)
    {
        var clock = Stopwatch.StartNew();
        await write();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static SpanRecord Call(int i)
    {
        var metadata = $"{{\"feature\":\"support\",\"timeToFirstTokenMs\":{200 + i * 37 % 5_000},\"requestId\":\"req-{i:x8}\"}}";
        return new SpanRecord
        {
            Id = $"call-{i:D6}",
            TraceId = $"trace-{i:D6}",
            SessionId = "long-session",
            UserId = "user-1",
            Name = "chat.completions.create",
            Kind = SpanKind.Llm,
            Model = "gpt-4o",
            Provider = "openai",
            StartMs = Start + i * 1_000L,
            EndMs = Start + i * 1_000L + 800,
            Usage = new TokenUsage(900, 100, 0, 0),
            CostPico = 3_250_000_000,
            CostSource = CostSource.BuiltInTable,
            MetadataJson = metadata,
            MetadataValues = MetadataValues.Flatten(metadata),
        };
    }
}
