using System.Text;
using System.Text.Json;

namespace Zespan.Core.Ingestion;

/// <summary>Measures how deeply a JSON text nests, without recursion (hostile input can nest thousands of levels).</summary>
public static class JsonDepth
{
    public static int Of(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { MaxDepth = int.MaxValue });
        var max = 0;
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                max = Math.Max(max, reader.CurrentDepth + 1);
        }
        return max;
    }
}
