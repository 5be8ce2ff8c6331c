using Microsoft.Playwright;

namespace Cutover.Dashboard.Tests.Support;

/// <summary>
/// Playwright driving the system Chromium, one browser for a test class. Playwright's own browser download is neither
/// possible nor wanted here, so the executable is always <see cref="ExecutablePath"/>; without it the tests say they are
/// skipped and why.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public static bool Available => File.Exists(ExecutablePath);

    public static string SkipReason => $"{ExecutablePath} is absent: install Debian's chromium (apt-get install chromium) to run the browser tests";

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (!Available)
        {
            return;
        }

        // Playwright's 5 s default is for a quiet machine; these run beside builds on two cores, and a page's first
        // reading judges health and reads every endpoint. A real failure still fails, later.
        Assertions.SetDefaultExpectTimeout(20_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
