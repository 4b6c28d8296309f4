using System.Text;
using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>The SQL side of <see cref="Zespan.Core.HourRange"/> for the hourly rollup tables.</summary>
internal static class HourConditions
{
    /// <summary>
    /// Appends an hourly rollup's condition on its <c>hour</c> column for whole hours [from, to) (an open end adds
    /// nothing) and binds its parameters: the one way every rollup read restricts its hours.
    /// </summary>
    /// <param name="fromName">The parameter names (with <paramref name="toName"/>), when the statement binds $from and $to to something else.</param>
    public static void Append(StringBuilder sql, SqliteCommand command, long? fromHour, long? toHour, string fromName = "$from", string toName = "$to")
    {
        if (fromHour is { } from)
        {
            sql.Append($" AND hour >= {fromName}");
            command.With(fromName, from);
        }
        if (toHour is { } to)
        {
            sql.Append($" AND hour < {toName}");
            command.With(toName, to);
        }
    }
}
