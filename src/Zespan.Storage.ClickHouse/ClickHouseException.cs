namespace Zespan.Storage.ClickHouse;

/// <summary>ClickHouse refused a statement (its own error text), or no configured node answered.</summary>
public sealed class ClickHouseException(string message, Exception? inner = null) : Exception(message, inner);
