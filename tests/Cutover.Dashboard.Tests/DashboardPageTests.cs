using System.Text.Json;
using Cutover.Dashboard.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cutover.Dashboard.Tests;

/// <summary>
/// The dashboard in Chromium against a real router with real traffic: the same figures as the admin API, a rollback
/// clicked through with its reason and preview, live without a reload, and a phone's width without sideways scrolling.
/// </summary>
public sealed class DashboardPageTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    private static readonly ViewportSize Laptop = new() { Width = 1280, Height = 900 };
    private static readonly ViewportSize Phone = new() { Width = 375, Height = 812 };

    private DashboardRouter _router = null!;
    private readonly List<string> _pageErrors = [];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        if (ChromiumFixture.Available)
        {
            _router = await DashboardRouter.StartAsync(Cancel);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_router is not null)
        {
            await _router.DisposeAsync();
        }
    }

    [Fact]
    public async Task Page_Loaded_ShowsTheFiguresOfStatsAndRollout()
    {
        var page = await OpenAsync(Laptop);
        var stats = await _router.ReadAsync("admin/stats?window=1h");
        var rollout = await _router.ReadAsync("admin/rollout");

        // unified against legacy: every figure of both totals
        foreach (var route in (string[])["unified", "legacy"])
        {
            var t = stats.GetProperty("totals").GetProperty(route);
            await Expect(page.GetByTestId($"total-{route}-requests")).ToHaveTextAsync($"{PageFormat.Int(t.GetProperty("request_count"))} requests");
            await Expect(page.GetByTestId($"total-{route}-p95")).ToHaveTextAsync($"p95 {PageFormat.Ms(t.GetProperty("p95_ms"))}");
            await Expect(page.GetByTestId($"total-{route}-error-rate")).ToHaveTextAsync($"errors {PageFormat.Pct(t.GetProperty("error_rate_pct"))}");
            await Expect(page.GetByTestId($"total-{route}-fallbacks")).ToHaveTextAsync($"{PageFormat.Int(t.GetProperty("fallback_count"))} fallbacks");
        }

        Assert.Equal(DashboardRouter.Webhooks, stats.GetProperty("totals").GetProperty("unified").GetProperty("request_count").GetInt64()
            + stats.GetProperty("totals").GetProperty("legacy").GetProperty("request_count").GetInt64());

        // per domain: the actual unified share, as /admin/stats has it
        var unifiedRows = stats.GetProperty("routes").EnumerateArray().Where(static r => r.GetProperty("routed_to").GetString() == "unified").ToList();
        Assert.NotEmpty(unifiedRows);
        foreach (var row in unifiedRows)
        {
            var domain = page.Locator($"[data-testid=domains] li[data-domain=\"{row.GetProperty("domain").GetString()}\"]");
            await Expect(domain.GetByTestId("domain-actual")).ToHaveTextAsync($"actual {PageFormat.Pct(row.GetProperty("share_pct"))}");
            await Expect(domain.GetByTestId("domain-configured")).ToHaveTextAsync("configured 50%");
        }

        // the rollout: state, step, percent, and every gate's value and threshold
        await Expect(page.GetByTestId("rollout-state")).ToHaveTextAsync(rollout.GetProperty("state").GetString()!);
        await Expect(page.GetByTestId("rollout-step")).ToHaveTextAsync($"{rollout.GetProperty("step").GetInt32()} of {rollout.GetProperty("steps").GetInt32()}");
        await Expect(page.GetByTestId("rollout-percent")).ToHaveTextAsync(PageFormat.Pct(rollout.GetProperty("percent")));
        await Expect(page.GetByTestId("rollout-step-requests")).ToHaveTextAsync(
            $"{rollout.GetProperty("step_requests").GetInt64()} of {rollout.GetProperty("step_min_requests").GetInt64()}");
        await Expect(page.GetByTestId("rollout-next")).ToHaveTextAsync(rollout.GetProperty("next").GetString()!);
        var gates = rollout.GetProperty("gates").EnumerateArray().ToList();
        await Expect(page.Locator("[data-testid=gates] li")).ToHaveCountAsync(gates.Count);
        foreach (var gate in gates)
        {
            var row = page.Locator($"[data-testid=gates] li[data-gate=\"{gate.GetProperty("name").GetString()}\"]");
            await Expect(row.GetByTestId("gate-value")).ToHaveTextAsync($"value {PageFormat.Fig(gate.GetProperty("value"))}");
            await Expect(row.GetByTestId("gate-threshold")).ToHaveTextAsync($"threshold {PageFormat.Fig(gate.GetProperty("threshold"))}");
        }

        // too few requests for the step: how many more, with an estimate
        var stepGate = gates.Single(static g => g.GetProperty("name").GetString() == "step_requests");
        var more = stepGate.GetProperty("threshold").GetDouble() - stepGate.GetProperty("value").GetDouble();
        await Expect(page.GetByTestId("insufficient")).ToContainTextAsync($"insufficient data: {more} more requests at this step (~");
        await Expect(page.Locator("[data-testid=insufficient] li")).Not.ToHaveCountAsync(1); // health's checks lack sample too

        // recent errors: the ones /admin/decisions has, by correlation id (this traffic has none: the panel says so)
        var errors = (await _router.ReadAsync("admin/decisions?errors=true&window=1h&limit=20")).GetProperty("decisions").EnumerateArray().ToList();
        if (errors.Count == 0)
        {
            await Expect(page.GetByTestId("errors")).ToHaveTextAsync("no errors in the last hour");
        }
        else
        {
            await Expect(page.GetByTestId("error-correlation")).ToHaveCountAsync(errors.Count);
            foreach (var error in errors)
            {
                await Expect(page.GetByTestId("errors")).ToContainTextAsync(error.GetProperty("correlation_id").GetString()!);
            }
        }

        await Expect(page.GetByTestId("live")).ToHaveTextAsync("live");
        await Expect(page.Locator("[data-testid=chart-p95] svg circle")).Not.ToHaveCountAsync(0);
        Assert.Empty(_pageErrors);
    }

    [Fact]
    public async Task Rollback_ClickedWithAReason_RoutingChangesAndTheTimelineShowsItWithoutAReload()
    {
        var page = await OpenAsync(Laptop);
        await Expect(page.GetByTestId("rollout-percent")).ToHaveTextAsync("50%");
        var navigations = 0;
        page.FrameNavigated += (_, frame) => navigations += frame == page.MainFrame ? 1 : 0;
        await page.EvaluateAsync("() => { window.cutoverTestMarker = 'still the same document'; }");

        await page.GetByTestId("control-rollback").ClickAsync();
        var dialog = page.GetByTestId("control-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(page.GetByTestId("dialog-confirm")).ToBeDisabledAsync(); // no reason yet
        await Expect(page.GetByTestId("preview")).ToContainTextAsync("move to legacy");
        await page.GetByTestId("reason").FillAsync("p95 <b>spike</b> on jobs, rolling back");
        await Expect(page.GetByTestId("dialog-confirm")).ToBeEnabledAsync();
        await page.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();

        // the router: back to 0%, the rollback recorded with its reason
        await Cutover.Testing.Eventually.WaitAsync(async () =>
            (await _router.ReadAsync("admin/status")).GetProperty("percent").GetDecimal() == 0m, TimeSpan.FromSeconds(20), "the percent back to 0");
        var rollbacks = await _router.ReadAsync("admin/rollbacks");
        Assert.Equal("p95 <b>spike</b> on jobs, rolling back", rollbacks[0].GetProperty("reason").GetString());

        // the page: the timeline has it, as text, the rollout panel moved, and the document is the one loaded at first
        var timeline = page.GetByTestId("timeline");
        await Expect(timeline).ToContainTextAsync("p95 <b>spike</b> on jobs, rolling back");
        await Expect(timeline.Locator("b")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("rollout-percent")).ToHaveTextAsync("0%");
        Assert.Equal("still the same document", await page.EvaluateAsync<string>("() => window.cutoverTestMarker"));
        Assert.Equal(0, navigations);
        Assert.Empty(_pageErrors);
    }

    [Fact]
    public async Task Page_AtPhoneWidth_NothingWiderThanTheScreen()
    {
        var page = await OpenAsync(Phone);
        await Expect(page.GetByTestId("total-unified-requests")).Not.ToHaveTextAsync(string.Empty);

        var overflow = await WiderThanTheScreenAsync(page);
        await page.GetByTestId("control-rollback").ClickAsync();
        await Expect(page.GetByTestId("preview")).Not.ToHaveTextAsync("reading the preview…");
        var overflowWithDialog = await WiderThanTheScreenAsync(page);

        Assert.Equal(375, await page.EvaluateAsync<int>("() => window.innerWidth"));
        Assert.Empty(overflow);
        Assert.Empty(overflowWithDialog);
    }

    [Fact]
    public async Task Screenshots_LaptopAndPhone_SavedAsArtifacts()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard");
        Directory.CreateDirectory(folder);
        foreach (var (name, size) in ((string Name, ViewportSize Size)[])[("laptop", Laptop), ("phone", Phone)])
        {
            var page = await OpenAsync(size);
            await Expect(page.GetByTestId("rollout-percent")).ToHaveTextAsync("50%");
            await Expect(page.Locator("[data-testid=chart-p95] svg")).ToHaveCountAsync(1);
            var path = Path.Combine(folder, $"{name}.png");
            File.Delete(path);

            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });

            Assert.True(new FileInfo(path).Length > 10_000, $"{path} is too small to show the page");
            TestContext.Current.AddAttachment($"dashboard-{name}.png", await File.ReadAllBytesAsync(path, Cancel), "image/png");
        }
    }

    /// <summary>The page in a new context of the given size, once it has read the API; console errors are kept.</summary>
    private async Task<IPage> OpenAsync(ViewportSize size)
    {
        Assert.SkipUnless(ChromiumFixture.Available, ChromiumFixture.SkipReason);
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = size, BaseURL = _router.Address.ToString() });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => _pageErrors.Add(error);
        page.Console += (_, message) =>
        {
            // The 404 of /admin/decisions (not on this branch) is expected; anything else, a CSP refusal first, is not.
            if (message.Type == "error" && !message.Text.Contains("404", StringComparison.Ordinal))
            {
                _pageErrors.Add(message.Text);
            }
        };
        await page.GotoAsync("dashboard");
        await Expect(page.GetByTestId("updated")).ToContainTextAsync("read at");
        return page;
    }

    /// <summary>A description of each visible element wider than the viewport or past its right edge, and of the document's own overflow.</summary>
    private static async Task<string[]> WiderThanTheScreenAsync(IPage page) =>
        await page.EvaluateAsync<string[]>("""
            () => {
              const width = window.innerWidth;
              const found = [];
              if (document.documentElement.scrollWidth > width) found.push(`document scrollWidth ${document.documentElement.scrollWidth} > ${width}`);
              for (const e of document.querySelectorAll('body *')) {
                const r = e.getBoundingClientRect();
                if (r.width === 0 && r.height === 0) continue;
                if (r.width > width + 0.5 || r.right > width + 0.5 || r.left < -0.5) {
                  found.push(`${e.tagName.toLowerCase()}${e.dataset.testid ? `[${e.dataset.testid}]` : ''}.${e.className}: ${r.left.toFixed(1)}..${r.right.toFixed(1)}`);
                }
              }
              return found;
            }
            """);
}
