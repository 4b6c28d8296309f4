using System.Reflection;
using Zespan.Core.Sessions;
using Zespan.Core.Traces;

namespace Zespan.Core.Tests.Queries;

/// <summary>
/// Every property of a filter belongs to a dimension, and ActiveDimensions reports exactly that dimension when the
/// property alone is set. Why: the fast paths (rollups, all-time totals, counters, the page planner) answer only for the
/// dimensions they declare; a property that ActiveDimensions does not see would pass them and give wrong totals.
/// </summary>
public sealed class FilterDimensionsTests
{
    public static TheoryData<Type> Filters => new() { typeof(SessionFilter), typeof(TraceQuery) };

    [Theory]
    [MemberData(nameof(Filters))]
    public void EveryProperty_IsAFilterDimensionOrMarkedNotAFilter(Type filterType)
    {
        foreach (var property in Properties(filterType))
        {
            var isDimension = property.GetCustomAttribute<FilterDimensionAttribute>() is not null;
            var isPaging = property.GetCustomAttribute<NotAFilterAttribute>() is not null;
            Assert.True(isDimension ^ isPaging,
                $"{filterType.Name}.{property.Name} needs [FilterDimension(...)] (a new filter: add its dimension and its case in ActiveDimensions) "
                + "or [NotAFilter] (it only chooses the page), and not both.");
        }
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public void SettingOneProperty_ActivatesExactlyItsDimension(Type filterType)
    {
        Assert.Equal(0, ActiveDimensions(Activator.CreateInstance(filterType)!));
        foreach (var property in Properties(filterType))
        {
            var filter = Activator.CreateInstance(filterType)!;
            property.SetValue(filter, NonDefault(property.PropertyType, property.GetValue(filter)));
            var expected = property.GetCustomAttribute<FilterDimensionAttribute>() is { } dimension ? Convert.ToInt32(dimension.Dimension) : 0;
            Assert.True(expected == ActiveDimensions(filter),
                $"{filterType.Name}.{property.Name} set: ActiveDimensions is {ActiveDimensionsValue(filter)}, its attribute says {expected}.");
        }
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public void EveryDimension_HasAProperty(Type filterType)
    {
        var enumType = filterType.GetProperty("ActiveDimensions")!.PropertyType;
        var claimed = Properties(filterType).Select(p => p.GetCustomAttribute<FilterDimensionAttribute>()?.Dimension).OfType<object>().Select(Convert.ToInt32).ToHashSet();
        foreach (var dimension in Enum.GetValues(enumType).Cast<object>().Where(d => Convert.ToInt32(d) != 0))
            Assert.True(claimed.Contains(Convert.ToInt32(dimension)), $"{enumType.Name}.{dimension} belongs to no property of {filterType.Name}.");
        // One flag each, so "supports all that are set" is a bit test.
        foreach (var dimension in Enum.GetValues(enumType).Cast<object>().Select(Convert.ToInt32).Where(d => d != 0))
            Assert.True((dimension & (dimension - 1)) == 0, $"{enumType.Name} value {dimension} is not a single flag.");
    }

    [Fact]
    public void Supports_AnswersOnlyWhenEverySetDimensionIsHeld()
    {
        var timeAndUser = new SessionFilter { FromMs = 1, UserId = "u" };
        Assert.True((SessionDimensions.Time | SessionDimensions.User).Supports(timeAndUser));
        Assert.True((SessionDimensions.Time | SessionDimensions.User | SessionDimensions.Status).Supports(timeAndUser));
        Assert.False(SessionDimensions.Time.Supports(timeAndUser));
        Assert.True(SessionDimensions.None.Supports(SessionFilter.None));
        Assert.False(TraceDimensions.None.Supports(new TraceQuery { Model = "gpt-4o" }));
        Assert.True(TraceDimensions.None.Supports(new TraceQuery { Limit = 3, OldestFirst = true }));
    }

    private static IEnumerable<PropertyInfo> Properties(Type filterType) =>
        filterType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "ActiveDimensions" && p.Name != "EqualityContract");

    private static object ActiveDimensionsValue(object filter) => filter.GetType().GetProperty("ActiveDimensions")!.GetValue(filter)!;

    private static int ActiveDimensions(object filter) => Convert.ToInt32(ActiveDimensionsValue(filter));

    /// <summary>A value of the type other than the given (default) one.</summary>
    private static object NonDefault(Type type, object? current)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        object candidate = underlying switch
        {
            _ when underlying == typeof(long) => 1_234L,
            _ when underlying == typeof(int) => 3,
            _ when underlying == typeof(string) => "x",
            _ when underlying == typeof(bool) => true,
            _ when underlying.IsEnum => Enum.GetValues(underlying).Cast<object>().Last(v => !v.Equals(current)),
            _ when underlying.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal) =>
                Activator.CreateInstance(underlying, underlying.GetGenericArguments().Select(a => NonDefault(a, null)).ToArray())!,
            _ => throw new InvalidOperationException($"Teach {nameof(NonDefault)} a value of {type}."),
        };
        Assert.NotEqual(current, candidate);
        return candidate;
    }
}
