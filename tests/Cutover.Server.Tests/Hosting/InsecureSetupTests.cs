using System.Net;
using System.Text.Json;
using Cutover.Server.Tests.Support;
using Cutover.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cutover.Server.Tests.Hosting;

/// <summary>Without <c>AppSecret</c> the server starts, but says so loudly: at start-up, on <c>GET /</c>, <c>/readyz</c> and <c>/admin/status</c>.</summary>
public sealed class InsecureSetupTests : IAsyncLifetime
{
    private readonly CapturedLogs _logs = new();
    private RecordingUpstreams _upstreams = null!;
    private RouterHarness _router = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(Cancel);
        _router = await RouterHarness.StartAsync(_upstreams, static s => s.Remove("Cutover:AppSecret"), cancellationToken: Cancel,
            services: s => s.AddSingleton<ILoggerProvider>(_logs));
    }

    public async ValueTask DisposeAsync()
    {
        await _router.DisposeAsync();
        await _upstreams.DisposeAsync();
    }

    [Fact]
    public void StartUp_NoAppSecret_LogsAWarningThatWebhooksAreUnsigned()
    {
        var warning = Assert.Single(_logs.Entries, static e => e.EventId == 1008);

        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(
            "Insecure set-up: webhooks are not signed: Cutover:AppSecret is empty, so no X-Hub-Signature-256 is checked and anyone "
            + "who can reach /webhook can inject traffic; set it to the Meta app's secret",
            warning.Message);
    }

    [Fact]
    public async Task Root_NoAppSecret_ListsItAmongFindings()
    {
        using var response = await _router.Http.GetAsync("", Cancel);

        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(json.GetProperty("findings").EnumerateArray(),
            static f => f.GetString()!.StartsWith("security: webhooks are not signed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Readyz_NoAppSecret_Still200ButJsonWithTheWarning()
    {
        using var response = await _router.Http.GetAsync("readyz", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Equal("ready", json.GetProperty("status").GetString());
        Assert.Contains("anyone who can reach /webhook can inject traffic", Assert.Single(json.GetProperty("warnings").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task AdminStatus_NoAppSecret_HasTheWarning()
    {
        using var response = await _router.AdminAsync(HttpMethod.Get, "admin/status");

        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.StartsWith("webhooks are not signed", Assert.Single(json.GetProperty("warnings").EnumerateArray()).GetString());
    }
}
