using System.Diagnostics;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Sqlite;

namespace Zespan.Bench;

/// <summary>
/// How long one write holds the single writer in a long session whose calls carry per-call metadata values
/// (timeToFirstTokenMs and a request id, as SDKs send them): the 1,000-span batches that build the session, a re-sent
/// unchanged span (an SDK retry), a span whose usage changed (applied in place, SumOnlyReplacement), a span whose end
/// changed (the session is rebuilt from its calls) and one retention batch of 1,000 spans.
/// In-process against the real SqliteSpanWriter and SqliteRetentionStore. Each figure is the process CPU time of the
/// call (wall clock too, in brackets): on a loaded machine the wall clock mostly measures waiting for a core.
/// </summary>
/// <param name="rebuildInWriter">Rebuilds every session inside the writer, as before DeferredSessionRebuilds: the comparison.</param>
public sealed class LongSessionBenchmark(int turns, int runs, bool rebuildInWriter)
{
    private const long Start = 1_795_000_000_000; // 2026-11-18, a fixed past time

    public async Task RunAsync()
    {
        var data = Directory.CreateTempSubdirectory("zespan-bench-long-session-").FullName;
        try
        {
            var storage = new SqliteStorage(Path.Combine(data, "zespan.db"), TimeProvider.System);
            await storage.Database.MigrateAsync();
            if (rebuildInWriter)
                storage.DeferredRebuilds.MinTurns = int.MaxValue;
            Console.WriteLine($"Long session: {turns:N0} turns, per-call metadata (timeToFirstTokenMs, requestId), {runs} runs per figure" +
                (rebuildInWriter ? ", every rebuild inside the writer (as before)" : ""));
            await WarmUpAsync(storage);

            var batches = new List<(double, double, double)>();
            foreach (var chunk in Enumerable.Range(0, turns).Chunk(1_000))
                batches.Add(await TimeAsync(storage, () => storage.SpanWriter.WriteAsync([.. chunk.Select(i => new ProjectSpan(1, Call(i)))])));
            Report("1,000-span batches building it", batches);

            var resend = new List<(double, double, double)>();
            var changed = new List<(double, double, double)>();
            var moved = new List<(double, double, double)>();
            var stored = Call(turns / 2);
            for (var run = 0; run < runs; run++)
            {
                var current = stored;
                resend.Add(await TimeAsync(storage, () => storage.SpanWriter.WriteAsync([new ProjectSpan(1, current)])));
                stored = current with { Usage = new TokenUsage(900, 101 + run, 0, 0) };
                var next = stored;
                changed.Add(await TimeAsync(storage, () => storage.SpanWriter.WriteAsync([new ProjectSpan(1, next)])));
                stored = next with { EndMs = next.EndMs + 1 };
                var later = stored;
                moved.Add(await TimeAsync(storage, () => storage.SpanWriter.WriteAsync([new ProjectSpan(1, later)])));
            }
            Report("re-send of an unchanged span", resend);
            Report("re-send with changed usage (in place)", changed);
            Report("re-send with a changed end (session rebuilt)", moved);

            var retention = new List<(double, double, double)>();
            for (var run = 0; run < runs; run++)
            {
                var cutoff = Start + (run + 1) * 1_000L * 1_000; // the next 1,000 calls, one batch
                retention.Add(await TimeAsync(storage, () => storage.Retention.DeleteSpansStartedBeforeAsync(1, cutoff, batchSize: 1_000)));
            }
            Report("retention batch of 1,000 spans", retention);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>
    /// Runs every kind of write the benchmark times, in another project, until tiered JIT has compiled the paths:
    /// a server holds the writer with optimised code after its first minute, and without this the first measured
    /// rebuilds also carry the JIT's background compilation (twice the CPU time of a warm rebuild here).
    /// </summary>
    private static async Task WarmUpAsync(SqliteStorage storage)
    {
        const long warmProject = 2;
        const int warmTurns = 5_000;
        foreach (var chunk in Enumerable.Range(0, warmTurns).Chunk(1_000))
            await storage.SpanWriter.WriteAsync([.. chunk.Select(i => new ProjectSpan(warmProject, Call(i)))]);
        var span = Call(warmTurns / 2);
        for (var round = 0; round < 60; round++)
        {
            await storage.SpanWriter.WriteAsync([new ProjectSpan(warmProject, span)]);
            span = span with { Usage = new TokenUsage(900, 1_000 + round, 0, 0) };
            await storage.SpanWriter.WriteAsync([new ProjectSpan(warmProject, span)]);
            span = span with { EndMs = span.EndMs + 1 };
            await storage.SpanWriter.WriteAsync([new ProjectSpan(warmProject, span)]);
        }
        for (var batch = 1; batch <= 4; batch++)
            await storage.Retention.DeleteSpansStartedBeforeAsync(warmProject, Start + batch * 1_000L * 1_000, batchSize: 1_000);
        await Task.Delay(500); // lets the JIT's background thread finish the last promotions
    }

    /// <summary>
    /// (process CPU ms, wall ms, longest turn of the write gate ms) of one call: the last is how long the call held every
    /// other writer back (a long session's rebuild runs outside the gate, DeferredSessionRebuilds).
    /// </summary>
    private static async Task<(double Cpu, double Wall, double Held)> TimeAsync(SqliteStorage storage, Func<Task> write)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        storage.WriteGate.TakeLongestTurn();
        var clock = Stopwatch.StartNew();
        await write();
        var wall = clock.Elapsed.TotalMilliseconds;
        process.Refresh();
        return ((process.TotalProcessorTime - cpu).TotalMilliseconds, wall, storage.WriteGate.TakeLongestTurn().TotalMilliseconds);
    }

    private static void Report(string what, List<(double Cpu, double Wall, double Held)> times) =>
        Console.WriteLine($"  {what}: writer held median {Stats.Median(times.Select(t => t.Held)):N1} ms, worst {times.Max(t => t.Held):N1} ms; " +
            $"CPU median {Stats.Median(times.Select(t => t.Cpu)):N1} ms, worst {times.Max(t => t.Cpu):N1} ms " +
            $"(wall median {Stats.Median(times.Select(t => t.Wall)):N1} ms, worst {times.Max(t => t.Wall):N1} ms)");

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
