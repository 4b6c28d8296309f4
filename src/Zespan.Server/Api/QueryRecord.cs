using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Mvc;

namespace Zespan.Server.Api;

/// <summary>
/// Fills a request record (ApiParameters.cs) from a query collection by the names of its [FromQuery] attributes, as
/// [AsParameters] binding does for the API, so the pages and the CSV export read a parameter under the one name the API
/// documents. Empty values count as absent; a repeated parameter reads as its values joined by commas, as binding does.
/// </summary>
public static class QueryRecord
{
    private static readonly ConcurrentDictionary<Type, (PropertyInfo Property, string Name)[]> Properties = new();

    public static T Bind<T>(IQueryCollection query) where T : new()
    {
        var record = new T();
        foreach (var (property, name) in Properties.GetOrAdd(typeof(T), Describe))
        {
            if (query[name].ToString() is { Length: > 0 } value)
                property.SetValue(record, value);
        }
        return record;
    }

    private static (PropertyInfo, string)[] Describe(Type type) => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.PropertyType == typeof(string) && p.CanWrite)
        .Select(p => (p, p.GetCustomAttribute<FromQueryAttribute>()?.Name
            ?? throw new InvalidOperationException($"{type.Name}.{p.Name} has no [FromQuery(Name = ...)]: every request record property names its parameter.")))
        .ToArray();
}
