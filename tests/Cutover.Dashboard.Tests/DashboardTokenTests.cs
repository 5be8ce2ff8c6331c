using Cutover.Dashboard.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cutover.Dashboard.Tests;

/// <summary>
/// The dashboard on a router with tokens: it reads with the read token typed in, kept in the tab's sessionStorage and
/// sent as a bearer header, never in a URL; a control needs the operate token, sent with that request only.
/// </summary>
public sealed class DashboardTokenTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    private DashboardRouter _router = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        if (ChromiumFixture.Available)
        {
            _router = await DashboardRouter.StartAsync(Cancel, tokens: true);
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
    public async Task Tokens_ReadsWithTheReadToken_ControlWithTheOperateTokenOnly_NeitherInAUrl()
    {
        Assert.SkipUnless(ChromiumFixture.Available, ChromiumFixture.SkipReason);
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            BaseURL = _router.Address.ToString(),
        });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        var requests = new List<IRequest>();
        page.Request += (_, request) =>
        {
            lock (requests)
            {
                requests.Add(request);
            }
        };

        // Without a token the admin API refuses, and the page says so.
        await page.GotoAsync("dashboard");
        await Expect(page.GetByTestId("banner")).ToContainTextAsync("refused the read token");
        await Expect(page.GetByTestId("live")).ToContainTextAsync("401");

        // The read token: the figures come, live.
        await page.GetByTestId("read-token").FillAsync(DashboardRouter.ReadToken);
        await page.GetByTestId("token-form").GetByRole(AriaRole.Button).ClickAsync();
        await Expect(page.GetByTestId("rollout-percent")).ToHaveTextAsync("50%");
        await Expect(page.GetByTestId("banner")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("live")).ToHaveTextAsync("live");
        Assert.Equal(DashboardRouter.ReadToken, await page.EvaluateAsync<string>("() => sessionStorage.getItem('cutover.readToken')"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length"));
        Assert.Equal(string.Empty, await page.EvaluateAsync<string>("() => document.cookie"));

        // A rollback without the operate token is refused in the dialog; with it, it goes through as alice.
        await page.GetByTestId("control-rollback").ClickAsync();
        await page.GetByTestId("reason").FillAsync("dashboard with tokens");
        await page.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(page.GetByTestId("dialog-problem")).ToContainTextAsync("401");
        await page.GetByTestId("operate-token").FillAsync(DashboardRouter.OperateToken);
        await page.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(page.GetByTestId("control-dialog")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("rollout-percent")).ToHaveTextAsync("0%");
        var rollbacks = await _router.ReadAsync("admin/rollbacks");
        Assert.Equal("alice", rollbacks[0].GetProperty("rolled_back_by").GetString());

        // What the browser sent: reads with the read token only, the rollback with the operate token, no token in a URL.
        List<IRequest> sent;
        lock (requests)
        {
            sent = [.. requests];
        }

        var admin = new List<(string Method, string Url, string? Authorization)>();
        foreach (var request in sent.Where(static r => new Uri(r.Url).AbsolutePath.StartsWith("/admin/", StringComparison.Ordinal)))
        {
            var headers = await request.AllHeadersAsync();
            admin.Add((request.Method, request.Url, headers.GetValueOrDefault("authorization")));
        }

        Assert.All(sent, static r => Assert.DoesNotContain("token-0123456789", r.Url, StringComparison.Ordinal));
        Assert.Contains(admin, static r => r.Method == "GET" && r.Authorization == $"Bearer {DashboardRouter.ReadToken}");
        Assert.Contains(admin, static r => r.Method == "GET" && r.Url.EndsWith("/admin/events", StringComparison.Ordinal)
            && r.Authorization == $"Bearer {DashboardRouter.ReadToken}");
        Assert.DoesNotContain(admin, static r => r.Method == "GET" && r.Authorization == $"Bearer {DashboardRouter.OperateToken}");
        Assert.Single(admin, static r => r.Method == "POST" && r.Authorization == $"Bearer {DashboardRouter.OperateToken}");
        Assert.All(admin.Where(static r => r.Method == "POST"), static r => Assert.EndsWith("/admin/rollback", r.Url, StringComparison.Ordinal));
    }
}
