using System.Text.Json;
using Cutover.Cli.Tests.Support;
using Cutover.Testing;

namespace Cutover.Cli.Tests.Commands;

/// <summary><c>cutover status</c> against a server started without <c>AppSecret</c>: the warning is printed, and in --json.</summary>
public sealed class StatusWarningsTests : IAsyncLifetime
{
    private RecordingUpstreams _upstreams = null!;
    private RouterHarness _router = null!;

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(TestContext.Current.CancellationToken);
        _router = await RouterHarness.StartAsync(_upstreams, static s => s.Remove("Cutover:AppSecret"),
            cancellationToken: TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _router.DisposeAsync();
        await _upstreams.DisposeAsync();
    }

    [Fact]
    public async Task Status_NoAppSecret_WarningFirst()
    {
        var run = await CliRun.InvokeAsync("status", "--url", _router.Address.ToString());

        // The console wraps at its width: read the lines back as one text.
        var text = string.Join(' ', run.Out.Split('\n').Select(static l => l.Trim()));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("WARNING: webhooks are not signed: Cutover:AppSecret is empty", text);
        Assert.Contains("anyone who can reach /webhook can inject traffic", text);
    }

    [Fact]
    public async Task StatusJson_NoAppSecret_CarriesWarnings()
    {
        var run = await CliRun.InvokeAsync("status", "--json", "--url", _router.Address.ToString());

        var warnings = JsonDocument.Parse(run.Out).RootElement.GetProperty("warnings");
        Assert.StartsWith("webhooks are not signed", Assert.Single(warnings.EnumerateArray()).GetString());
    }
}
