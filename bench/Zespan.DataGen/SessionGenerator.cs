using System.Text.Json;
using Zespan.Core.Spans;

namespace Zespan.DataGen;

/// <summary>How much prompt and completion text each LLM span carries.</summary>
public enum PayloadSize { None, Short }

/// <summary>What to generate: the same settings and seed always give the same spans.</summary>
public sealed record GenerationPlan
{
    public int Seed { get; init; } = 42;
    public int Users { get; init; } = 5_000;
    public int Sessions { get; init; } = 2_000;
    /// <summary>Sessions start within this many days before End.</summary>
    public double Days { get; init; } = 13;
    /// <summary>Latest moment of the data (default: the current UTC hour, so demo data looks recent). Pass it for bit-identical runs.</summary>
    public DateTimeOffset End { get; init; } = new(DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour), TimeSpan.Zero);
    public PayloadSize Payload { get; init; } = PayloadSize.Short;
    /// <summary>
    /// Span, trace and session ids as hex hashes, as SDKs send them (random ids). The default ids grow with the session
    /// number, which puts one load's inserts next to each other in every id index: kinder to the writer than real traffic.
    /// </summary>
    public bool RandomIds { get; init; }

    /// <summary>The value of an --ids option: ordered (the default ids) or random.</summary>
    public static bool ParseRandomIds(string ids) =>
        ids switch { "random" => true, "ordered" => false, _ => throw new ArgumentException("--ids must be ordered or random.") };
}

/// <summary>
/// Generates one session at a time from its own seeded random stream, so session i is identical whatever order or
/// thread it is generated on. A session is a sequence of traces (turns of an agent): an optional "agent.turn" root
/// span around retrieval, an LLM call and sometimes a tool call followed by a second LLM call.
/// Pathological sessions are placed deterministically: every 2,000th session is a runaway loop of 1,000 LLM calls,
/// every 1,000th sends huge prompts (150k–900k input tokens per call).
/// </summary>
public sealed class SessionGenerator(GenerationPlan plan)
{
    private const long MinuteMs = 60_000;
    private readonly long _endMs = plan.End.ToUnixTimeMilliseconds();

    public static bool IsRunaway(int sessionIndex) => sessionIndex % 2_000 == 7;

    public static bool IsHugeTokens(int sessionIndex) => sessionIndex % 1_000 == 13;

    public string SessionId(int index) => plan.RandomIds ? RandomSessionId($"sess_{plan.Seed:x4}_{index:x8}") : $"sess_{plan.Seed:x4}_{index:x8}";

    public List<SpanRecord> Generate(int index)
    {
        var spans = GenerateWithOrderedIds(index);
        return plan.RandomIds ? spans.ConvertAll(WithRandomIds) : spans;
    }

    private static SpanRecord WithRandomIds(SpanRecord span) => span with
    {
        Id = Hex(span.Id, 16),
        TraceId = Hex(span.TraceId, 32),
        ParentId = span.ParentId is null ? null : Hex(span.ParentId, 16),
        SessionId = span.SessionId is null ? null : RandomSessionId(span.SessionId),
    };

    private static string RandomSessionId(string orderedId) => "sess_" + Hex(orderedId, 16);

    private static string Hex(string id, int length) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)))[..length];

    private List<SpanRecord> GenerateWithOrderedIds(int index)
    {
        var random = new Random(unchecked(plan.Seed * 1_000_003 + index * 7_919 + 17));
        var spans = new List<SpanRecord>(16);
        var runaway = IsRunaway(index);
        var huge = IsHugeTokens(index);
        var llmCalls = runaway ? 1_000 : TurnCount(random);

        var userIndex = (int)(plan.Users * Math.Pow(random.NextDouble(), 2.2)); // a few heavy users, a long tail of light ones
        var userId = $"user_{userIndex:d6}";
        var userPlan = TrafficModel.Plans[Hash(userIndex) % TrafficModel.Plans.Length];
        var feature = TrafficModel.Features[(Hash(userIndex) / 7 + random.Next(2)) % TrafficModel.Features.Length];
        var channel = TrafficModel.Channels[random.Next(TrafficModel.Channels.Length)];
        var model = huge ? TrafficModel.Models[2] : PickModel(random);
        var sessionId = $"sess_{plan.Seed:x4}_{index:x8}";

        // Sessions cluster in working hours; the last 3 hours stay free so a long session still ends before End.
        var spanMs = (long)(plan.Days * 86_400_000);
        var startMs = _endMs - 3 * 60 * MinuteMs - (long)(random.NextDouble() * spanMs);
        var hour = (startMs / (60 * MinuteMs)) % 24;
        if (hour < 7 && random.NextDouble() < 0.6)
            startMs += 9 * 60 * MinuteMs;
        startMs = Math.Min(startMs, _endMs - 3 * 60 * MinuteMs);
        var promptVersion = (_endMs - startMs) switch { > 20L * 86_400_000 => "v3", > 6L * 86_400_000 => "v4", _ => "v5" };

        var tags = new List<string> { channel };
        if (random.NextDouble() < 0.1)
            tags.Add("beta");
        if (runaway)
            tags.Add("agent-loop");
        var metadata = new Dictionary<string, string> { ["feature"] = feature, ["plan"] = userPlan, ["promptVersion"] = promptVersion };
        var metadataJson = JsonSerializer.Serialize(metadata);

        var context = new SessionContext(sessionId, userId, model, tags, metadata, metadataJson, huge, runaway);
        var now = startMs;
        var emitted = 0;
        var trace = 0;
        while (emitted < llmCalls)
        {
            var traceId = $"{plan.Seed:x8}{index:x12}{trace:x12}";
            now = EmitTrace(random, context, spans, index, traceId, now, emitted, llmCalls - emitted, out var calls);
            emitted += calls;
            trace++;
            now += runaway ? random.Next(200, 2_000) : random.Next(5_000, 120_000); // the user reads and types
        }
        return spans;
    }

    /// <summary>Turns per conversation: log-normal (median 5, mean about 9.5), 1 to 200.</summary>
    private static int TurnCount(Random random)
    {
        var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return (int)Math.Clamp(Math.Ceiling(Math.Exp(1.6 + 1.1 * normal)), 1, 200);
    }

    private static TrafficModel.ModelChoice PickModel(Random random)
    {
        var r = random.NextDouble();
        foreach (var m in TrafficModel.Models)
        {
            if ((r -= m.Weight) <= 0)
                return m;
        }
        return TrafficModel.Models[0];
    }

    private static int Hash(int value) => (int)((uint)(value * 2_654_435_761u) >> 4);

    private sealed record SessionContext(string SessionId, string UserId, TrafficModel.ModelChoice Model, List<string> Tags,
        Dictionary<string, string> Metadata, string MetadataJson, bool Huge, bool Runaway);

    private long EmitTrace(Random random, SessionContext s, List<SpanRecord> spans, int sessionIndex, string traceId, long startMs, int callsSoFar, int callsLeft, out int calls)
    {
        calls = 0;
        var spanNo = spans.Count;
        string NextId() => $"{plan.Seed:x4}{sessionIndex:x8}{spanNo++:x6}";

        var wrapped = s.Runaway || random.NextDouble() < 0.45;
        var rootId = wrapped ? NextId() : null;
        var t = startMs + (wrapped ? random.Next(1, 20) : 0);
        var firstChild = spans.Count;

        if (wrapped && random.NextDouble() < 0.5)
        {
            var retrievalEnd = t + random.Next(40, 400);
            spans.Add(Plain(NextId(), traceId, rootId, s, "retrieval.vector_search", t, retrievalEnd, $"{{\"index\":\"kb-{s.Metadata["feature"]}\",\"topK\":8}}"));
            t = retrievalEnd + random.Next(1, 10);
        }
        t = EmitLlmCall(random, s, spans, NextId(), traceId, rootId, t, callsSoFar);
        calls++;
        var useTool = wrapped && calls < callsLeft && (s.Runaway || random.NextDouble() < 0.3);
        if (useTool)
        {
            var tool = TrafficModel.Tools[random.Next(TrafficModel.Tools.Length)];
            var toolEnd = t + random.Next(20, 2_500);
            var failed = random.NextDouble() < 0.02;
            spans.Add(Plain(NextId(), traceId, rootId, s, $"tool.{tool}", t, toolEnd, null) with
            {
                Status = failed ? SpanStatus.Error : SpanStatus.Ok,
                Error = failed ? $"{tool} failed: upstream returned 502" : null,
            });
            t = EmitLlmCall(random, s, spans, NextId(), traceId, rootId, toolEnd + random.Next(1, 10), callsSoFar + calls);
            calls++;
        }
        if (wrapped)
        {
            var anyError = spans.Skip(firstChild).Any(x => x.Status == SpanStatus.Error);
            spans.Insert(firstChild, Plain(rootId!, traceId, null, s, "agent.turn", startMs, t + random.Next(1, 15), null) with
            {
                Status = anyError ? SpanStatus.Error : SpanStatus.Ok,
                Error = anyError ? "A step of this turn failed" : null,
            });
        }
        return t;
    }

    private long EmitLlmCall(Random random, SessionContext s, List<SpanRecord> spans, string id, string traceId, string? parentId, long startMs, int turn)
    {
        var m = s.Model.Reasons || random.NextDouble() > 0.15 ? s.Model : TrafficModel.Models[1]; // escalate a hard turn to the strong model
        // The prompt carries the conversation so far, so input grows with each turn; most of it is a cached prefix.
        long input = s.Huge ? random.Next(150_000, 900_000) : 400 + Math.Min(turn, 60) * random.Next(90, 260) + random.Next(0, 300);
        long cached = turn == 0 ? 0 : (long)(input * random.NextDouble() * 0.8);
        var isError = random.NextDouble() < (s.Huge ? 0.08 : 0.018);
        long output = isError ? 0 : (long)Math.Min(8_000, 40 + Math.Exp(4.8 + 0.8 * random.NextDouble() * 2));
        long reasoning = m.Reasons && !isError ? output * random.Next(1, 4) : 0;
        output += reasoning;
        var latency = isError ? random.Next(200, 60_000) : 250 + output * random.Next(8, 20) + (input / 1_000) * 5;
        var phrase = random.Next(TrafficModel.UserMessages.Length);
        var orderNo = random.Next(10_000, 99_999);

        var metadata = s.MetadataJson;
        if (random.NextDouble() < 0.25)
            metadata = metadata[..^1] + $",\"timeToFirstTokenMs\":{random.Next(150, 900)},\"temperature\":0.{random.Next(0, 9)}}}";
        spans.Add(new SpanRecord
        {
            Id = id,
            TraceId = traceId,
            ParentId = parentId,
            SessionId = s.SessionId,
            UserId = s.UserId,
            Name = m.Operation,
            Kind = SpanKind.Llm,
            Model = m.Model,
            Provider = m.Provider,
            StartMs = startMs,
            EndMs = startMs + latency,
            Usage = new TokenUsage(input, output, cached, reasoning),
            Status = isError ? SpanStatus.Error : SpanStatus.Ok,
            Error = isError ? TrafficModel.Errors[random.Next(TrafficModel.Errors.Length)] : null,
            InputJson = plan.Payload == PayloadSize.None ? null : JsonSerializer.Serialize(new object[]
            {
                new { role = "system", content = $"You are the {s.Metadata["feature"]} assistant ({s.Metadata["promptVersion"]})." },
                new { role = "user", content = string.Format(TrafficModel.UserMessages[phrase], orderNo) },
            }),
            OutputJson = plan.Payload == PayloadSize.None || isError ? null
                : JsonSerializer.Serialize(new { role = "assistant", content = string.Format(TrafficModel.Replies[phrase], orderNo) }),
            MetadataJson = metadata,
            MetadataValues = s.Metadata,
            Tags = s.Tags,
        });
        return startMs + latency;
    }

    private static SpanRecord Plain(string id, string traceId, string? parentId, SessionContext s, string name, long start, long end, string? metadataJson) => new()
    {
        Id = id,
        TraceId = traceId,
        ParentId = parentId,
        SessionId = s.SessionId,
        UserId = s.UserId,
        Name = name,
        Kind = SpanKind.Span,
        StartMs = start,
        EndMs = end,
        MetadataJson = metadataJson,
    };
}
