using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;

using static Zespan.Storage.Sqlite.Tests.SessionSearchKit;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// q= through the trigram index (migration 160) answers exactly what the LIKE scan answered: a substring of the stored
/// name or id, ASCII case-insensitive, with LIKE's metacharacters, quotes and non-ASCII text matched literally. The
/// reference is recomputed here from the stored names and ids over random texts, after inserts, renames and deletions;
/// pages of 7 among ~240 sessions take both of the list's plans (walking the sort index for many matches, reading the
/// matches from the index for few) and totalCount is the index's own count.
/// </summary>
public sealed class SessionSearchTests : IAsyncLifetime
{
    // LIKE and FTS5 syntax characters, quotes, case pairs and non-ASCII letters whose case LIKE does not fold but the
    // index does (É/é, the Kelvin sign that folds to k), an emoji outside the BMP.
    private static readonly string[] Alphabet = ["a", "A", "b", "B", "k", "K", "\u212A", "é", "É", "%", "_", "\\", "'", "\"", " ", "*", "-", "😀", "ß", "x"];

    private SeededStore _store = null!;
    private readonly Random _random = new(18);

    public async Task InitializeAsync() => _store = await SeededStore.CreateAsync(Plan.Free, "p", "other");

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    private string RandomText(int min, int max) => _random.Text(Alphabet, min, max);

    private static SpanRecord Named(string id, string session, long start, string? name) =>
        TestSpans.Llm(id, session, start, traceId: "t-" + id) with { SessionName = name };

    [Fact]
    public async Task Search_EqualsLikeRecomputation_OverRandomNamesAndIds_ThroughRenamesAndDeletions()
    {
        var spans = new List<ProjectSpan>();
        var (mine, theirs) = (new List<SpanRecord>(), new List<SpanRecord>());
        for (var i = 0; i < 240; i++)
        {
            var session = $"s{i:D3}-{RandomText(0, 6)}";
            var name = i % 5 == 0 ? null : RandomText(1, 14);
            mine.Add(Named($"c{i}", session, TestSpans.Day0 + i * 60_000L, name));
            // The same ids and names in another project must never be found from this one.
            theirs.Add(Named($"o{i}", session, TestSpans.Day0 + i * 60_000L, name));
            spans.Add(new ProjectSpan(_store.Project, mine[^1]));
            spans.Add(new ProjectSpan(_store.OtherProject, theirs[^1]));
        }
        await _store.Storage.SpanWriter.WriteAsync(spans);
        await _store.AssertHoldsWhatWasSentAsync(mine, theirs);
        await VerifyAsync("after the first write");

        // Renames: an earlier call with another explicit name takes over; deletions: retention removes the oldest sessions.
        var renames = spans.Where(s => s.ProjectId == _store.Project).Take(60)
            .Select((s, i) => new ProjectSpan(_store.Project, Named($"r{i}", s.Span.SessionId!, s.Span.StartMs - 1_000, RandomText(2, 10)))).ToList();
        await _store.Storage.SpanWriter.WriteAsync(renames);
        await VerifyAsync("after renames");
        await _store.Storage.Retention.DeleteSpansStartedBeforeAsync(_store.Project, TestSpans.Day0 + 30 * 60_000L, 50);
        await VerifyAsync("after retention");
    }

    private async Task VerifyAsync(string context)
    {
        var stored = (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Limit = SessionQuery.MaxLimit })).Items;
        Assert.True(stored.Count < SessionQuery.MaxLimit);
        var texts = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            // Substrings of stored names and ids with their ASCII case flipped at random, and random texts of 1 to 5 characters.
            var source = stored[_random.Next(stored.Count)];
            var whole = (i % 2 == 0 && source.Name is { Length: > 0 } n ? n : source.SessionId).EnumerateRunes().Select(r => r.ToString()).ToArray();
            var from = _random.Next(whole.Length); // whole characters: a query never carries half a surrogate pair
            var piece = string.Concat(whole.Skip(from).Take(_random.Next(0, Math.Min(6, whole.Length - from)) + 1));
            texts.Add(i % 3 == 0 ? RandomText(1, 5) : new string(piece.Select(c => c < 128 && _random.Next(2) == 0 ? (char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)) : c).ToArray()));
        }
        texts.AddRange(["%", "_", "\\", "'", "\"", "%%%", "__", "\"\"\"", "a%b", "É", "ÉÉ", "kkk", "KKK", "s00"]);
        foreach (var text in texts)
        {
            var expected = stored.Where(s => LikeContains(s.SessionId, text) || (s.Name is { } name && LikeContains(name, text)))
                .OrderBy(s => s.StartedMs).ThenBy(s => s.SessionId, StringComparer.Ordinal).Select(s => s.SessionId).ToList();
            var filter = new SessionFilter { Query = text };
            var (listed, totalCount) = await _store.Storage.PageThroughAsync(_store.Project, filter, SessionSort.StartedAt, descending: false, pageSize: 7);
            Assert.True(expected.SequenceEqual(listed), $"{context}, q=\"{text}\": expected [{string.Join(", ", expected)}], listed [{string.Join(", ", listed)}]");
            Assert.Equal(expected.Count, totalCount);
            Assert.Equal(expected.Count, (await _store.Storage.Sessions.StatsAsync(_store.Project, filter)).Sessions);
        }
    }

    [Fact]
    public void Phrase_FoldsOnlyAsciiLetters_QuotesQuotes_AndLeavesShortTextsToTheScan()
    {
        Assert.Null(SessionSearch.Phrase("ab"));
        Assert.Null(SessionSearch.Phrase("a😀"));
        Assert.Equal("\"a\"\"b%\"", SessionSearch.Phrase("A\"b%"));
        Assert.Equal("\"éÉk\u212Ak\"", SessionSearch.Phrase("éÉK\u212Ak"));
    }
}
