using System.Text.Json;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// A span version written by the server from another (trace-context inheritance, ClickHouseSql.InheritedVersions) must
/// copy every column a span row has: a column added to SpanRow and not to ClickHouseSql's field lists would be reset to
/// its default in every such copy.
/// </summary>
public sealed class SpanRowColumnsTests
{
    [Fact]
    public void TheInheritedVersion_WritesEveryColumnOfASpanRow()
    {
        var rowColumns = typeof(SpanRow).GetProperties().Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)).Order(StringComparer.Ordinal);
        Assert.Equal(rowColumns, ClickHouseSql.SpanRowColumns.Order(StringComparer.Ordinal));
    }
}
