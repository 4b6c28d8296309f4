using System.Buffers;

namespace Zespan.Core.Sessions.Anomalies;

/// <summary>
/// The window's numbers gathered per kind, one session row at a time, then each kind's <see cref="KindBaseline"/>. The
/// values are kept in pooled buffers: a week of a million-session month is ~230,000 values per figure, and growing
/// lists of that size on every computation cost more in garbage collection than the order statistics themselves.
/// </summary>
public sealed class BaselineBuilder
{
    private readonly Dictionary<AnomalyDetector.KindKey, Figures> _kinds = [];

    /// <summary>How many rows were added (sessions, without a grouping).</summary>
    public long Rows { get; private set; }

    public void Add(in SessionNumbers row)
    {
        Rows++;
        var key = new AnomalyDetector.KindKey(row.Kind);
        if (!_kinds.TryGetValue(key, out var figures))
            _kinds[key] = figures = new Figures();
        if (!row.CostUnknown) // unknown cost is left out, never counted as $0
            figures.Costs.Add((double)row.CostPico);
        figures.Turns.Add(row.Turns);
        figures.PerTurn.Add(AnomalyDetector.TokensPerTurn(row.Turns, row.TotalTokens));
    }

    /// <summary>The baseline of every kind added; the buffers go back to the pool.</summary>
    public Dictionary<AnomalyDetector.KindKey, KindBaseline> Build()
    {
        var result = new Dictionary<AnomalyDetector.KindKey, KindBaseline>(_kinds.Count);
        foreach (var (key, f) in _kinds)
        {
            result[key] = new KindBaseline(key.Kind, f.Turns.Count, f.Costs.Baseline(), f.Turns.Baseline(), f.PerTurn.Baseline());
            f.Return();
        }
        _kinds.Clear();
        return result;
    }

    private sealed class Figures
    {
        public Values Costs { get; } = new();
        public Values Turns { get; } = new();
        public Values PerTurn { get; } = new();

        public void Return()
        {
            Costs.Return();
            Turns.Return();
            PerTurn.Return();
        }
    }

    /// <summary>A growing buffer of doubles rented from the shared pool.</summary>
    private sealed class Values
    {
        private double[] _items = ArrayPool<double>.Shared.Rent(1_024);

        public int Count { get; private set; }

        public void Add(double value)
        {
            if (Count == _items.Length)
            {
                var larger = ArrayPool<double>.Shared.Rent(_items.Length * 2);
                _items.AsSpan(0, Count).CopyTo(larger);
                ArrayPool<double>.Shared.Return(_items);
                _items = larger;
            }
            _items[Count++] = value;
        }

        public Baseline Baseline() => Anomalies.Baseline.Of(_items.AsSpan(0, Count));

        public void Return()
        {
            ArrayPool<double>.Shared.Return(_items);
            _items = [];
            Count = 0;
        }
    }
}
