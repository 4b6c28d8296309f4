using System.Text.Json;
using Microsoft.Playwright;
using Zespan.Ui.Tests.Infrastructure;

namespace Zespan.Ui.Tests;

/// <summary>Every page on a phone (390 px) and a laptop (1,440 px), the keyboard path and basic accessibility, measured in the page.</summary>
[Collection(SeededServerCollection.Name)]
public sealed class LayoutAndAccessTests(SeededServerFixture fixture)
{
    private IReadOnlyList<string> Pages()
    {
        var rich = fixture.Sessions.Where(s => s.UserId is not null && s.Errors > 0).MaxBy(s => s.Turns)!;
        var call = fixture.Spans.Where(s => s.IsLlm && s.SessionId == rich.SessionId).OrderBy(s => s.Start).Last();
        return
        [
            "/sessions", "/sessions?sort=costUsd&order=desc", $"/sessions/{rich.SessionId}", $"/users/{rich.UserId}",
            "/traces", $"/traces/{call.TraceId}?span={call.Id}", "/costs?range=30d&group=tag", "/settings",
            "/settings/users", "/settings/password", "/settings/prices", "/settings/alerts",
        ];
    }

    // The page's own width against the viewport, and the widest element sticking out, to name the culprit.
    private const string OverflowProbe = """
        () => {
          const width = window.innerWidth;
          const doc = document.documentElement.scrollWidth;
          let worst = null;
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.right > width + 1 && (!worst || r.right > worst.right)) worst = { right: Math.round(r.right), tag: el.tagName + (el.className ? '.' + String(el.className).split(' ')[0] : '') };
          }
          return JSON.stringify({ width, doc, worst });
        }
        """;

    [Theory]
    [InlineData(390)]
    [InlineData(1440)]
    public async Task EveryPage_HasNoHorizontalPageScroll(int width)
    {
        var page = await fixture.NewPageAsync(width);
        var failures = new List<string>();
        foreach (var url in Pages())
        {
            var response = await page.GotoAsync(url);
            Assert.Equal(200, response!.Status);
            var probe = JsonDocument.Parse(await page.EvaluateAsync<string>(OverflowProbe)).RootElement;
            if (probe.GetProperty("doc").GetInt32() > probe.GetProperty("width").GetInt32())
                failures.Add($"{url}: page is {probe.GetProperty("doc")} px wide in a {width} px window; widest: {probe.GetProperty("worst")}");
        }
        var login = await fixture.NewPageAsync(width, loggedIn: false);
        await login.GotoAsync("/login");
        if (await login.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth"))
            failures.Add("/login overflows");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task OnAPhone_TheSpanPanelComesBelowTheFlameGraph_AndTablesScrollInTheirOwnBox()
    {
        var call = fixture.Spans.First(s => s.IsLlm);
        var page = await fixture.NewPageAsync(390);
        await page.GotoAsync($"/traces/{call.TraceId}?span={call.Id}");
        var flame = (await page.Locator(".flame-wrap").BoundingBoxAsync())!;
        var panel = (await page.Locator(".span-panel").BoundingBoxAsync())!;
        Assert.True(panel.Y >= flame.Y + flame.Height, $"span panel at y={panel.Y} overlaps the flame graph ending at y={flame.Y + flame.Height}");

        await page.GotoAsync("/sessions");
        var table = page.Locator("table").First;
        var (scrollWidth, clientWidth) = (await table.EvaluateAsync<int>("t => t.scrollWidth"), await table.EvaluateAsync<int>("t => t.clientWidth"));
        Assert.True(scrollWidth > clientWidth, "the sessions table should be wider than a phone and scroll inside its box");
        Assert.True(clientWidth <= 390);
    }

    [Fact]
    public async Task Keyboard_FirstTabIsTheSkipLink_WhichLandsOnTheContent_AndFocusIsVisible()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/sessions");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent.trim()"));
        Assert.NotEqual("none", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("main", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        // The next stop is inside the content, not the header again.
        await page.Keyboard.PressAsync("Tab");
        Assert.True(await page.EvaluateAsync<bool>("() => document.querySelector('main').contains(document.activeElement)"));
    }

    // Our own quick pass beside axe-core: every form control has a name, one main landmark, a language, readable text.
    private const string AccessibilityProbe = """
        () => {
          const problems = [];
          const named = el => (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.title;
          for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea'))
            if (!named(el)) problems.push('unlabelled ' + el.tagName.toLowerCase() + '[name=' + el.name + ']');
          for (const el of document.querySelectorAll('button, a[href]'))
            if (!(el.textContent.trim() || el.getAttribute('aria-label') || el.title)) problems.push('nameless ' + el.tagName.toLowerCase());
          if (document.querySelectorAll('main').length !== 1) problems.push(document.querySelectorAll('main').length + ' main landmarks');
          if (!document.documentElement.lang) problems.push('no lang on html');
          if (!document.title) problems.push('no title');
          const rgb = c => c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
          const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
          const background = el => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor; if (c && !c.endsWith(', 0)') && c !== 'transparent') return rgb(c); } return [255, 255, 255]; };
          for (const el of document.querySelectorAll('main *, header *')) {
            if (!el.childNodes.length || ![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
            const s = getComputedStyle(el);
            // Disabled controls are exempt from the contrast minimum (WCAG 1.4.3).
            if (s.visibility === 'hidden' || s.display === 'none' || el.closest('[aria-disabled=true]')) continue;
            const [a, b] = [lum(rgb(s.color)), lum(background(el))];
            const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            const large = parseFloat(s.fontSize) >= 24 || (parseFloat(s.fontSize) >= 18.66 && parseInt(s.fontWeight) >= 700);
            if (ratio < (large ? 3 : 4.5)) problems.push('contrast ' + ratio.toFixed(2) + ' for ' + el.tagName.toLowerCase() + '.' + String(el.className).split(' ')[0] + ' "' + el.textContent.trim().slice(0, 30) + '"');
          }
          return [...new Set(problems)];
        }
        """;

    [Fact]
    public async Task EveryPage_PassesTheAccessibilityChecks()
    {
        var page = await fixture.NewPageAsync(bypassCsp: true);
        var failures = new List<string>();
        foreach (var url in Pages())
        {
            await page.GotoAsync(url);
            foreach (var problem in await page.EvaluateAsync<string[]>(AccessibilityProbe))
                failures.Add($"{url}: {problem}");
            foreach (var violation in await AxeCore.ViolationsAsync(page))
                failures.Add($"{url}: axe {violation}");
        }
        var login = await fixture.NewPageAsync(loggedIn: false, bypassCsp: true);
        await login.GotoAsync("/login");
        foreach (var violation in await AxeCore.ViolationsAsync(login))
            failures.Add($"/login: axe {violation}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
