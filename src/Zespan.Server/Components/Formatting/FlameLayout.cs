using Zespan.Core.Spans;

namespace Zespan.Server.Components.Formatting;

/// <summary>One bar of the flame graph: a span, how deep it is nested, and where it sits on the time axis (0..1).</summary>
public sealed record FlameBar(SpanRecord Span, int Depth, double Start, double Width);

/// <summary>
/// Lays out a trace as a nested waterfall: each span on its own row under its parent (depth first, children by start time),
/// so parallel calls never hide each other. A span whose parent was never received is drawn as a root.
/// </summary>
public static class FlameLayout
{
    public static IReadOnlyList<FlameBar> Lay(IReadOnlyList<SpanRecord> spans, out long traceStartMs, out long traceDurationMs)
    {
        traceStartMs = spans.Count == 0 ? 0 : spans.Min(s => s.StartMs);
        var end = spans.Count == 0 ? 0 : spans.Max(s => s.EndMs);
        traceDurationMs = Math.Max(1, end - traceStartMs);

        var ids = spans.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var children = spans.Where(s => s.ParentId is not null && ids.Contains(s.ParentId) && s.ParentId != s.Id)
            .GroupBy(s => s.ParentId!)
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.StartMs).ThenBy(s => s.Id, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var roots = spans.Where(s => s.ParentId is null || !ids.Contains(s.ParentId) || s.ParentId == s.Id).OrderBy(s => s.StartMs);

        var bars = new List<FlameBar>(spans.Count);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var (start, duration) = (traceStartMs, (double)traceDurationMs);

        void Place(SpanRecord span, int depth)
        {
            // A parent loop in bad data must not recurse forever.
            if (!placed.Add(span.Id))
                return;
            bars.Add(new FlameBar(span, depth, (span.StartMs - start) / duration, Math.Max(0, span.EndMs - span.StartMs) / duration));
            if (children.TryGetValue(span.Id, out var kids))
            {
                foreach (var kid in kids)
                    Place(kid, depth + 1);
            }
        }

        foreach (var root in roots)
            Place(root, 0);
        // Spans caught in a parent cycle have no root; show them rather than drop them.
        foreach (var span in spans.Where(s => !placed.Contains(s.Id)))
            Place(span, 0);
        return bars;
    }
}
