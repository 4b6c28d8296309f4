using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Traces;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>
/// For every filter dimension: how to set it to a random value, and which rows it keeps by the contract's definition.
/// The randomized suite enumerates the dimensions (every combination of <see cref="SessionDimensions"/> and of
/// <see cref="TraceDimensions"/>), so a new dimension is generated and checked against a recomputation from raw spans
/// without anyone remembering to, and fails with "no case for dimension X" until its case is written here.
/// </summary>
public static class FilterDimensionCases
{
    /// <summary>What the random values are drawn from: the sessions and traces recomputed from the spans written so far.</summary>
    public sealed record Data(IReadOnlyCollection<ExpectedSession> Sessions, IReadOnlyCollection<ExpectedTrace> Traces, IReadOnlyCollection<SpanRecord> Spans);

    public sealed record SessionCase(Func<Random, Data, SessionFilter, SessionFilter> Set, Func<SessionFilter, ExpectedSession, bool> Keeps);

    public sealed record TraceCase(Func<Random, Data, TraceQuery, TraceQuery> Set, Func<TraceQuery, ExpectedTrace, IReadOnlyCollection<SpanRecord>, bool> Keeps);

    public static readonly IReadOnlyDictionary<SessionDimensions, SessionCase> Sessions = new Dictionary<SessionDimensions, SessionCase>
    {
        [SessionDimensions.Time] = new(
            (random, _, f) => RandomRange(random) is var (from, to) ? f with { FromMs = from, ToMs = to } : f,
            (f, s) => (f.FromMs is not { } from || s.StartedMs >= from) && (f.ToMs is not { } to || s.StartedMs < to)),
        [SessionDimensions.User] = new(
            (random, data, f) => f with { UserId = Pick(random, data.Sessions.Select(s => s.UserId).OfType<string>().Append("nobody")) },
            (f, s) => s.UserId == f.UserId),
        [SessionDimensions.Status] = new(
            (random, _, f) => f with { Status = random.Next(2) == 0 ? SessionStatusFilter.Error : SessionStatusFilter.Ok },
            (f, s) => f.Status == SessionStatusFilter.Error ? s.ErrorCount > 0 : s.ErrorCount == 0),
        [SessionDimensions.MinTurns] = new(
            (random, data, f) => f with { MinTurns = random.Next(0, data.Sessions.Select(s => s.Turns).DefaultIfEmpty(0).Max() + 2) },
            (f, s) => s.Turns >= f.MinTurns),
        [SessionDimensions.MaxTurns] = new(
            (random, data, f) => f with { MaxTurns = random.Next(0, data.Sessions.Select(s => s.Turns).DefaultIfEmpty(0).Max() + 2) },
            (f, s) => s.Turns <= f.MaxTurns),
        [SessionDimensions.ActiveTime] = new(
            (random, data, f) =>
            {
                // Bounds at stored values (inclusive ends are hit), between them, or round durations (as a person types them); one end or both.
                var actives = data.Sessions.Select(s => s.ActiveMs).Append(0).ToList();
                long Bound() => random.Next(4) switch
                {
                    0 => random.NextInt64(0, actives.Max() + 2),
                    1 => Pick(random, RoundDurations) - random.Next(2),
                    _ => Pick(random, actives),
                };
                var (a, b) = (Bound(), Bound());
                return random.Next(3) switch
                {
                    0 => f with { MinActiveMs = a },
                    1 => f with { MaxActiveMs = a },
                    _ => f with { MinActiveMs = Math.Min(a, b), MaxActiveMs = Math.Max(a, b) },
                };
            },
            (f, s) => (f.MinActiveMs is not { } min || s.ActiveMs >= min) && (f.MaxActiveMs is not { } max || s.ActiveMs <= max)),
        [SessionDimensions.Text] = new(
            (random, data, f) => f with { Query = RandomSearch(random, data) },
            // ASCII case-insensitive substring of the name or the id (the suite's names and ids are ASCII).
            (f, s) => s.SessionId.Contains(f.Query!, StringComparison.OrdinalIgnoreCase) || (s.Name?.Contains(f.Query!, StringComparison.OrdinalIgnoreCase) ?? false)),
    };

    public static readonly IReadOnlyDictionary<TraceDimensions, TraceCase> Traces = new Dictionary<TraceDimensions, TraceCase>
    {
        [TraceDimensions.Time] = new(
            (random, _, q) => RandomRange(random) is var (from, to) ? q with { FromMs = from, ToMs = to } : q,
            (q, t, _) => (q.FromMs is not { } from || t.StartedMs >= from) && (q.ToMs is not { } to || t.StartedMs < to)),
        [TraceDimensions.User] = new(
            (random, data, q) => q with { UserId = Pick(random, data.Traces.Select(t => t.UserId).OfType<string>().Append("nobody")) },
            (q, t, _) => t.UserId == q.UserId),
        [TraceDimensions.Session] = new(
            (random, data, q) => q with { SessionId = Pick(random, data.Traces.Select(t => t.SessionId).OfType<string>().Append("no-such-session")) },
            (q, t, _) => t.SessionId == q.SessionId),
        [TraceDimensions.Model] = new(
            (random, data, q) => q with { Model = Pick(random, data.Spans.Select(s => s.Model).OfType<string>().Append("no-such-model")) },
            (q, _, spans) => spans.Any(s => s.Model == q.Model)),
        [TraceDimensions.Status] = new(
            (random, _, q) => q with { Status = random.Next(2) == 0 ? SpanStatus.Error : SpanStatus.Ok },
            (q, t, _) => q.Status == SpanStatus.Error ? t.ErrorCount > 0 : t.ErrorCount == 0),
    };

    /// <summary>Every combination of the dimensions, None first.</summary>
    public static IEnumerable<TDimensions> Combinations<TDimensions>() where TDimensions : struct, Enum
    {
        var flags = Enum.GetValues<TDimensions>().Select(d => Convert.ToInt32(d)).Where(d => d != 0).ToList();
        for (var mask = 0; mask < 1 << flags.Count; mask++)
            yield return (TDimensions)Enum.ToObject(typeof(TDimensions), flags.Where((_, i) => (mask & (1 << i)) != 0).Sum());
    }

    public static SessionFilter RandomSessionFilter(Random random, Data data, SessionDimensions dimensions)
    {
        var filter = SessionFilter.None;
        foreach (var dimension in Flags(dimensions))
            filter = CaseOf(dimension).Set(random, data, filter);
        return filter;
    }

    public static bool Keeps(SessionFilter filter, ExpectedSession session) =>
        Flags(filter.ActiveDimensions).All(d => CaseOf(d).Keeps(filter, session));

    public static TraceQuery RandomTraceQuery(Random random, Data data, TraceDimensions dimensions)
    {
        var query = new TraceQuery { Limit = 500 };
        foreach (var dimension in Flags(dimensions))
            query = CaseOf(dimension).Set(random, data, query);
        return query;
    }

    public static bool Keeps(TraceQuery query, ExpectedTrace trace, IReadOnlyCollection<SpanRecord> traceSpans) =>
        Flags(query.ActiveDimensions).All(d => CaseOf(d).Keeps(query, trace, traceSpans));

    private static SessionCase CaseOf(SessionDimensions dimension) =>
        Sessions.TryGetValue(dimension, out var c) ? c : throw new InvalidOperationException($"No case for session dimension {dimension}: add one to {nameof(FilterDimensionCases)}.{nameof(Sessions)}.");

    private static TraceCase CaseOf(TraceDimensions dimension) =>
        Traces.TryGetValue(dimension, out var c) ? c : throw new InvalidOperationException($"No case for trace dimension {dimension}: add one to {nameof(FilterDimensionCases)}.{nameof(Traces)}.");

    private static IEnumerable<TDimensions> Flags<TDimensions>(TDimensions dimensions) where TDimensions : struct, Enum =>
        Enum.GetValues<TDimensions>().Where(d => Convert.ToInt32(d) != 0 && dimensions.HasFlag(d));

    /// <summary>
    /// A start range at arbitrary milliseconds around the three days the suite writes: usually several days (whole hours
    /// answered by rollups, partial hours at both ends), sometimes under two hours, sometimes open at one end.
    /// </summary>
    private static (long? From, long? To) RandomRange(Random random)
    {
        long? from = random.Next(4) == 0 ? null : Day0 - 6 * Hour + random.NextInt64(3 * Day + 6 * Hour);
        long? to = random.Next(4) == 0 && from is not null ? null
            : (from ?? Day0) + (random.Next(4) == 0 ? random.NextInt64(1, 2 * Hour) : random.NextInt64(Hour, 3 * Day + 6 * Hour));
        return (from, to);
    }

    /// <summary>
    /// A piece of a session's name or id in random letter case, sometimes a wildcard character (% or _, which must match
    /// itself) or text no session has.
    /// </summary>
    private static string RandomSearch(Random random, Data data)
    {
        switch (random.Next(8))
        {
            case 0: return "no such text";
            case 1: return random.Next(2) == 0 ? "%" : "_";
        }
        var texts = data.Sessions.SelectMany(s => new[] { s.SessionId, s.Name }).OfType<string>().ToList();
        if (texts.Count == 0)
            return "sess";
        var text = Pick(random, texts);
        var start = random.Next(text.Length);
        var piece = text.Substring(start, random.Next(1, Math.Min(text.Length - start, 8) + 1));
        return new string(piece.Select(c => random.Next(2) == 0 ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c)).ToArray());
    }

    /// <summary>Active-time bounds a person picks: 1 s … 1 day.</summary>
    private static readonly long[] RoundDurations = [1_000, 5_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 86_400_000];

    private static T Pick<T>(Random random, IEnumerable<T> values)
    {
        var list = values.Distinct().ToList();
        return list[random.Next(list.Count)];
    }
}
