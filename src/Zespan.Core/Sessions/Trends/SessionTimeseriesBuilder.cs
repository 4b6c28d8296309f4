namespace Zespan.Core.Sessions.Trends;

/// <summary>
/// Builds session-grain trends from session rows, one at a time (a store streams them; a million sessions are held as
/// two numbers each, never as objects). The figures' definitions live here, once, for every store.
/// </summary>
public sealed class SessionTimeseriesBuilder(TimeBuckets buckets)
{
    private readonly Dictionary<string, KindAccumulator> _kinds = new(StringComparer.Ordinal);
    private KindAccumulator? _noKind;

    /// <summary>One session of a kind. Sessions outside the buckets' range are ignored.</summary>
    public void Add(string? kind, long startedMs, Int128 costPico, bool priced, int turns, bool errored)
    {
        if (startedMs < buckets.FromMs || startedMs >= buckets.ToMs)
            return;
        KindAccumulator accumulator;
        if (kind is null)
            accumulator = _noKind ??= new KindAccumulator(buckets.Count);
        else if (!_kinds.TryGetValue(kind, out accumulator!))
            _kinds[kind] = accumulator = new KindAccumulator(buckets.Count);
        accumulator.Add(buckets.IndexOf(startedMs), costPico, priced, turns, errored);
    }

    /// <summary>The series of the <paramref name="maxKinds"/> kinds with the most sessions (ties by name, no-kind last).</summary>
    public SessionTimeseries Build(SessionGrouping? by, int maxKinds)
    {
        var all = _kinds.Select(k => (Kind: (string?)k.Key, Acc: k.Value)).ToList();
        if (_noKind is not null)
            all.Add((null, _noKind));
        if (by is null && all.Count == 0)
            all.Add((null, new KindAccumulator(buckets.Count))); // the whole project, even when empty
        var kept = all
            .OrderByDescending(k => k.Acc.Sessions)
            .ThenBy(k => k.Kind is null ? 1 : 0)
            .ThenBy(k => k.Kind, StringComparer.Ordinal)
            .Take(maxKinds)
            .Select(k => new SessionSeries(k.Kind, k.Acc.Sessions, k.Acc.Build(buckets)))
            .ToList();
        return new SessionTimeseries(buckets, by, kept, all.Count - kept.Count);
    }

    private sealed class KindAccumulator(int bucketCount)
    {
        private readonly List<Int128>?[] _pricedCosts = new List<Int128>?[bucketCount];
        private readonly List<int>?[] _turns = new List<int>?[bucketCount];
        private readonly Int128[] _cost = new Int128[bucketCount];
        private readonly long[] _errored = new long[bucketCount];
        private readonly long[] _turnSum = new long[bucketCount];

        public long Sessions { get; private set; }

        public void Add(int index, Int128 costPico, bool priced, int turns, bool errored)
        {
            Sessions++;
            (_turns[index] ??= []).Add(turns);
            _turnSum[index] += turns;
            _cost[index] += costPico; // an unpriced call adds nothing; a session with no priced call adds 0 and is not "priced"
            if (priced)
                (_pricedCosts[index] ??= []).Add(costPico);
            if (errored)
                _errored[index]++;
        }

        public IReadOnlyList<SessionBucket> Build(TimeBuckets buckets)
        {
            var result = new SessionBucket[buckets.Count];
            for (var i = 0; i < result.Length; i++)
            {
                var turns = _turns[i] ?? [];
                var costs = _pricedCosts[i] ?? [];
                turns.Sort();
                costs.Sort();
                var sessions = turns.Count;
                result[i] = new SessionBucket(
                    buckets.StartOf(i), sessions, costs.Count, _cost[i],
                    costs.Count == 0 ? null : (double)((decimal)_cost[i] / costs.Count),
                    costs.Count == 0 ? null : Percentiles.Median((IReadOnlyList<Int128>)costs),
                    costs.Count == 0 ? null : Percentiles.NearestRank((IReadOnlyList<Int128>)costs, 0.95),
                    _turnSum[i],
                    sessions == 0 ? null : (double)_turnSum[i] / sessions,
                    sessions == 0 ? null : turns[(int)Percentiles.NearestRankOf(sessions, 0.95) - 1],
                    _errored[i]);
            }
            return result;
        }
    }
}
