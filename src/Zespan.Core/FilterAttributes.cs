namespace Zespan.Core;

/// <summary>The dimension a filter property restricts; a property without one fails the reflection test.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class FilterDimensionAttribute(object dimension) : Attribute
{
    /// <summary>A value of the filter's dimensions enum (<see cref="Sessions.SessionDimensions"/> or <see cref="Traces.TraceDimensions"/>).</summary>
    public object Dimension { get; } = dimension;
}

/// <summary>A query property that chooses the page (limit, cursor, order), not which rows match.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotAFilterAttribute : Attribute;
