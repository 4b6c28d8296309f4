using Microsoft.Playwright;

namespace Zespan.Ui.Tests.Infrastructure;

/// <summary>Reads the sessions table as shown: row order and the machine-readable values behind each cell.</summary>
public static class TablePage
{
    public static async Task<List<string>> SessionIdsAsync(IPage page) =>
        [.. await page.Locator("[data-testid=sessions-table] tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.sessionId)")];

    /// <summary>
    /// Waits until the page a pager link led to shows page <paramref name="number"/> and is parsed to its end. The page
    /// number can be rendered before the rows that follow it: a count taken when it appears saw 48 of a compare page's
    /// 100 turns (CI, session 40).
    /// </summary>
    public static Task WaitForPageAsync(IPage page, int number) => page.WaitForFunctionAsync(
        $"document.readyState != 'loading' && document.querySelector('[data-testid=page-number]')?.textContent == '{number}'");

    /// <summary>For each row: session id and the data-value of every cell, in column order.</summary>
    public static async Task<List<string[]>> RowValuesAsync(IPage page) =>
        [.. await page.Locator("[data-testid=sessions-table] tbody tr").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.dataset.sessionId, ...Array.from(r.cells).slice(2).map(c => c.dataset.value)])")];
}
