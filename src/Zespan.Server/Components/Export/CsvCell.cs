namespace Zespan.Server.Components.Export;

/// <summary>One CSV field (RFC 4180 quoting), made inert for spreadsheets.</summary>
public static class CsvCell
{
    // A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets; session and user
    // IDs come from the instrumented application, so an attacker could plant "=HYPERLINK(...)" in them.
    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    public static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return "";
        if (FormulaStarts.Contains(value[0]))
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
