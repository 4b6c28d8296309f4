using System.Text;
using System.Text.Json;
using Zespan.Core.Ingestion;
using Zespan.Core.Tests.Ingestion.Reference;

namespace Zespan.Core.Tests.Ingestion;

/// <summary>
/// The validator reads each item's fields in one pass (ItemFields) instead of one TryGetProperty per field. These tests
/// hold it to the validator it replaced (Reference/, main 89b803a) on random batches of valid and hostile items: every
/// stored span equal field by field, every refusal the same index, id and message. The items mix valid values with
/// wrong types, numbers at and past their limits, escaped and duplicated names, lone surrogates, bytes that are not
/// UTF-8, deep nesting and over-long strings, so each branch of the validator is met in both orders of its fields.
/// </summary>
public sealed class SpanParserEquivalenceTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly FixedClock Clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private static readonly BatchParser Parser = new(new SpanParser(Clock));
    private static readonly ReferenceSpanParser Reference = new(Clock);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RandomBatches_MatchTheReferenceValidator(int seed)
    {
        var random = new Random(seed);
        var stored = 0;
        var refused = 0;
        for (var batch = 0; batch < 300; batch++)
        {
            var body = HostileItems.Batch(random, random.Next(1, 12));
            var (spans, errors) = Compare(body);
            stored += spans;
            refused += errors;
        }
        // Both outcomes must be common, or the comparison says little.
        Assert.InRange(stored, 300, int.MaxValue);
        Assert.InRange(refused, 300, int.MaxValue);
    }

    [Fact]
    public void DuplicatedAndEscapedNames_TheLastOccurrenceWins()
    {
        var item = HostileItems.ValidItem("s1");
        var body = Encoding.UTF8.GetBytes("{\"batch\":[" + item[..^1] + ",\"model\":\"first\",\"mod\\u0065l\":\"second\",\"name\":\"last\"}]}");
        Compare(body);
        var span = Assert.Single(Parser.Parse(body).Spans).Span;
        Assert.Equal(("second", "last"), (span.Model, span.Name));
    }

    [Fact]
    public void LoneSurrogateInAName_IsRefusedAsText()
    {
        var body = Encoding.UTF8.GetBytes("{\"batch\":[" + HostileItems.ValidItem("s1")[..^1] + ",\"x\\ud800\":1}]}");
        Compare(body);
        Assert.Contains("not valid UTF-8", Assert.Single(Parser.Parse(body).Errors).Message);
    }

    /// <summary>Parses the body with both validators and asserts equal outcomes; returns the numbers stored and refused.</summary>
    private static (int Spans, int Errors) Compare(byte[] body)
    {
        var actual = Parser.Parse(body);
        var text = Encoding.UTF8.GetString(body);
        if (actual.BodyError is not null) // a corrupted byte outside a string: the body is refused whole, by unchanged code
        {
            Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
            return (0, 0);
        }
        var expected = ReferenceParse(body);
        Assert.True(expected.Errors.Count == actual.Errors.Count, $"errors {expected.Errors.Count} vs {actual.Errors.Count}: {text}");
        for (var i = 0; i < expected.Errors.Count; i++)
            Assert.True(expected.Errors[i] == actual.Errors[i], $"{expected.Errors[i]} vs {actual.Errors[i]}: {text}");
        Assert.True(expected.Spans.Count == actual.Spans.Count, $"spans {expected.Spans.Count} vs {actual.Spans.Count}: {text}");
        for (var i = 0; i < expected.Spans.Count; i++)
            Assert.Equal(Describe(expected.Spans[i]), Describe(actual.Spans[i]));
        return (actual.Spans.Count, actual.Errors.Count);
    }

    /// <summary>BatchParser's body handling (unchanged) around the reference validator.</summary>
    private static ParsedBatch ReferenceParse(byte[] body)
    {
        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 100_000 });
        var spans = new List<ParsedSpan>();
        var errors = new List<ItemError>();
        var index = 0;
        foreach (var item in document.RootElement.GetProperty("batch").EnumerateArray())
        {
            if (Reference.TryParse(item, index++, out var parsed, out var error))
                spans.Add(parsed!);
            else
                errors.Add(error!);
        }
        return new ParsedBatch(null, spans, errors, index);
    }

    /// <summary>Every field of the parsed span, its collections in order, as text to compare.</summary>
    private static string Describe(ParsedSpan parsed) => JsonSerializer.Serialize(new
    {
        parsed.Span,
        Metadata = parsed.Span.MetadataValues.Select(p => $"{p.Key}={p.Value}").ToList(),
        parsed.ClientCostUsd,
        parsed.UsageReported,
        parsed.Index,
    });
}
