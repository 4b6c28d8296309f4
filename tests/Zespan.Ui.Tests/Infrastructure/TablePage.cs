using Microsoft.Playwright;

namespace Zespan.Ui.Tests.Infrastructure;

/// <summary>Reads the sessions table as shown: row order and the machine-readable values behind each cell.</summary>
public static class TablePage
{
    public static async Task<List<string>> SessionIdsAsync(IPage page) =>
        [.. await page.Locator("[data-testid=sessions-table] tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.sessionId)")];

    /// <summary>For each row: session id and the data-value of every cell, in column order.</summary>
    public static async Task<List<string[]>> RowValuesAsync(IPage page) =>
        [.. await page.Locator("[data-testid=sessions-table] tbody tr").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.dataset.sessionId, ...Array.from(r.cells).slice(2).map(c => c.dataset.value)])")];
}
