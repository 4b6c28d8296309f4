using System.Text.Json;
using Zespan.Core.Spans;

namespace Zespan.Core.Ingestion;

/// <summary>The outcome of reading one ingest body: either a reason the body is no batch at all, or its valid spans and named rejects.</summary>
public sealed record ParsedBatch(string? BodyError, IReadOnlyList<ParsedSpan> Spans, IReadOnlyList<ItemError> Errors, int ItemCount)
{
    public static ParsedBatch Refused(string message) => new(message, [], [], 0);
}

/// <summary>Reads the contract's <c>{"batch": [...]}</c> body and validates each item on its own.</summary>
public sealed class BatchParser(SpanParser spanParser)
{
    public const int MaxBatchItems = 10_000;

    /// <summary>Whole-body nesting limit; the per-field limit (IngestLimits.MaxPayloadDepth) is checked per item so neighbours survive.</summary>
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 100_000 };

    public ParsedBatch Parse(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return ParsedBatch.Refused($"The body is not valid JSON ({ex.Message.Split(" Path:")[0].TrimEnd('.')}). Send {{\"batch\": [span, ...]}}.");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("batch", out var batch))
                return ParsedBatch.Refused("The body must be a JSON object with a \"batch\" array: {\"batch\": [span, ...]}.");
            if (batch.ValueKind != JsonValueKind.Array)
                return ParsedBatch.Refused("\"batch\" must be an array of spans.");
            var count = batch.GetArrayLength();
            if (count > MaxBatchItems)
                return ParsedBatch.Refused($"The batch has {count:N0} spans; send at most {MaxBatchItems:N0} per request.");

            var spans = new List<ParsedSpan>(count);
            var errors = new List<ItemError>();
            var index = 0;
            foreach (var item in batch.EnumerateArray())
            {
                if (spanParser.TryParse(item, index, out var parsed, out var error))
                    spans.Add(parsed!);
                else
                    errors.Add(error!);
                index++;
            }
            return new ParsedBatch(null, spans, errors, count);
        }
    }
}
