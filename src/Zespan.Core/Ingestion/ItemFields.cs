using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Zespan.Core.Ingestion;

/// <summary>
/// The fields of one batch item that the validator reads, found in one pass over the item's properties. Why: looking each
/// field up with <c>JsonElement.TryGetProperty(string)</c> scanned the item's properties again for every field and encoded
/// the name to UTF-8 each time — a quarter of the validator's CPU per span. Same rules as TryGetProperty: names compare
/// unescaped (<c>"\u0069d"</c> is <c>id</c>), and of a name sent twice the last occurrence wins.
/// </summary>
internal struct ItemFields
{
    /// <summary>Every field of the contract's span that SpanParser reads; a slot each.</summary>
    private static readonly string[] Names =
    [
        "id", "traceId", "parentId", "sessionId", "userId", "sessionName", "name", "kind", "model", "provider",
        "startTime", "endTime", "usage", "costUsd", "status", "error", "input", "output", "metadata", "tags",
    ];

    private const int FieldCount = 20; // Names.Length: the size of an inline array must be a constant

    private static readonly byte[][] Utf8Names = Names.Length == FieldCount
        ? Names.Select(Encoding.UTF8.GetBytes).ToArray()
        : throw new InvalidOperationException("ItemFields.FieldCount must equal the number of names.");

    private Slots _values;
    private uint _present;

    [InlineArray(FieldCount)]
    private struct Slots
    {
        private JsonElement _first;
    }

    /// <summary>Reads the item's properties once. The item is an object whose text JsonTextCheck found sound.</summary>
    public static ItemFields Of(JsonElement item)
    {
        var fields = new ItemFields();
        foreach (var property in item.EnumerateObject())
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(property);
            var slot = raw.IndexOf((byte)'\\') < 0 ? SlotOf(raw) : SlotOf(Encoding.UTF8.GetBytes(property.Name));
            if (slot < 0)
                continue; // unknown fields are ignored, as the contract says
            fields._values[slot] = property.Value;
            fields._present |= 1u << slot;
        }
        return fields;
    }

    /// <summary>The field's value, like JsonElement.TryGetProperty; <paramref name="name"/> is one of the fields above.</summary>
    public readonly bool TryGetProperty(string name, out JsonElement value)
    {
        var slot = Array.IndexOf(Names, name);
        if (slot < 0)
            throw new ArgumentException($"\"{name}\" is not a field SpanParser reads; add it to ItemFields.Names.", nameof(name));
        if ((_present & (1u << slot)) == 0)
        {
            value = default;
            return false;
        }
        value = _values[slot];
        return true;
    }

    private static int SlotOf(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < Utf8Names.Length; i++)
        {
            if (name.SequenceEqual(Utf8Names[i]))
                return i;
        }
        return -1;
    }
}
