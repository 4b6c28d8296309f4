namespace Zespan.Core.Sessions;

/// <summary>
/// Active time and idle gaps of a session — the one definition every store, page and test uses.
/// <para>
/// Each LLM call covers [start, end]. Taken in start order, the time covered so far ends at the largest end seen; when
/// the next call starts later than that, the time between is a gap. A gap longer than the threshold (strictly) is idle:
/// <c>idleGapCount</c> counts them and <c>activeDurationMs</c> = wall duration (first start to last end) − their total.
/// Gaps at or under the threshold (thinking, typing) stay active, as does all time inside overlapping calls.
/// </para>
/// The result depends only on the set of calls, never on the order they arrived in: <see cref="Of"/> sorts them, and
/// <see cref="Extend"/> may be used only for a call that starts at or after every call already folded in.
/// </summary>
public static class SessionActivity
{
    /// <summary>Five minutes, as the peers' gap markers (Langfuse's IDLE_GAP_THRESHOLD_SECONDS = 300).</summary>
    public const long DefaultIdleGapMs = 300_000;
    public const long MinIdleGapMs = 1_000;
    public const long MaxIdleGapMs = 86_400_000;

    /// <summary>The folded state: first start, last start, end of the covered time, and the idle total and count.</summary>
    public readonly record struct State(long StartedMs, long LastStartMs, long CoveredEndMs, long IdleMs, int IdleGaps)
    {
        public long DurationMs => CoveredEndMs - StartedMs;
        public long ActiveMs => DurationMs - IdleMs;
    }

    public static State First(long startMs, long endMs) => new(startMs, startMs, endMs, 0, 0);

    /// <summary>Whether a call starting at <paramref name="startMs"/> can be folded in with <see cref="Extend"/>.</summary>
    public static bool CanExtend(State state, long startMs) => startMs >= state.LastStartMs;

    public static State Extend(State state, long startMs, long endMs, long idleGapMs)
    {
        if (!CanExtend(state, startMs))
            throw new ArgumentException("A call that starts before the last folded call needs a recomputation (Of).", nameof(startMs));
        var gap = startMs - state.CoveredEndMs;
        var idle = gap > idleGapMs;
        return new State(state.StartedMs, startMs, Math.Max(state.CoveredEndMs, endMs),
            state.IdleMs + (idle ? gap : 0), state.IdleGaps + (idle ? 1 : 0));
    }

    /// <summary>The state of a set of calls in any order; null when there is none.</summary>
    public static State? Of(IEnumerable<(long StartMs, long EndMs)> calls, long idleGapMs)
    {
        State? state = null;
        foreach (var (start, end) in calls.OrderBy(c => c.StartMs))
            state = state is { } s ? Extend(s, start, end, idleGapMs) : First(start, end);
        return state;
    }

    /// <summary>The idle gaps themselves (from the end of covered time to the next call's start), for the timeline's markers.</summary>
    public static IReadOnlyList<IdleGap> Gaps(IEnumerable<(long StartMs, long EndMs)> calls, long idleGapMs)
    {
        var gaps = new List<IdleGap>();
        State? state = null;
        foreach (var (start, end) in calls.OrderBy(c => c.StartMs))
        {
            if (state is not { } s)
            {
                state = First(start, end);
                continue;
            }
            var next = Extend(s, start, end, idleGapMs);
            if (next.IdleGaps > s.IdleGaps)
                gaps.Add(new IdleGap(s.CoveredEndMs, start));
            state = next;
        }
        return gaps;
    }

    /// <summary>Why a threshold is refused, or null when it is acceptable.</summary>
    public static string? Validate(long idleGapMs) =>
        idleGapMs is < MinIdleGapMs or > MaxIdleGapMs
            ? $"The idle gap threshold must be between {MinIdleGapMs / 1000} second and {MaxIdleGapMs / 3_600_000} hours (in milliseconds: {MinIdleGapMs} to {MaxIdleGapMs}); got {idleGapMs}."
            : null;
}

/// <summary>An idle stretch of a session: nothing ran from <see cref="FromMs"/> until the next call started at <see cref="ToMs"/>.</summary>
public readonly record struct IdleGap(long FromMs, long ToMs)
{
    public long DurationMs => ToMs - FromMs;
}

/// <summary>A project's session settings (control plane).</summary>
public sealed record ProjectSessionSettings(long IdleGapMs)
{
    public static ProjectSessionSettings Default { get; } = new(SessionActivity.DefaultIdleGapMs);
}
