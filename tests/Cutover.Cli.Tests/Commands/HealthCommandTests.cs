using System.Text.Json;
using Cutover.Cli.Tests.Support;
using Cutover.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cutover.Cli.Tests.Commands;

/// <summary>
/// <c>cutover health</c> against a real router whose clock is fake: the split is judged from the first whole
/// minute after a change, so the test moves time rather than waiting for it.
/// </summary>
public sealed class HealthCommandTests : IAsyncLifetime
{
    private const string Token = "operate-token-0123456789";
    private static readonly string[] Texts = ["a job please", "apartment for rent", "sell my phone"];
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 9, 0, 10, TimeSpan.Zero));
    private RecordingUpstreams _upstreams = null!;
    private RouterHarness _router = null!;

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(TestContext.Current.CancellationToken);
        _router = await RouterHarness.StartAsync(_upstreams, s =>
        {
            s["Cutover:Admin:Tokens:0:Name"] = "alice";
            s["Cutover:Admin:Tokens:0:Token"] = Token;
            s["Cutover:Admin:Tokens:0:Role"] = "operate";
            s["Cutover:DecisionLog:FlushInterval"] = "00:00:00"; // the fake clock would hold a flush delay forever
            s["Cutover:Health:MinRequests"] = "30";
            s["Cutover:Health:LatencyMinRequests"] = "30";

            // These tests read health with unified failing at a manual 50%; the guard on unified would roll that back
            // at its first look (UnifiedGuardTests shows it), so it only notifies here.
            s["Cutover:Rollout:GuardAfterComplete"] = "false";
        }, _time, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _router.DisposeAsync();
        await _upstreams.DisposeAsync();
    }

    [Fact]
    public async Task Health_HealthyTraffic_Exit0AndEveryCheckOk()
    {
        await SendTrafficAsync();

        var run = await Cutover("health", "--json");

        Assert.Equal(0, run.ExitCode);
        var json = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal("ok", json.GetProperty("state").GetString());
        var checks = json.GetProperty("checks").EnumerateArray().ToList();
        Assert.Contains(checks, static c => c.GetProperty("name").GetString() == "split");
        Assert.All(checks, static c =>
        {
            Assert.Equal("ok", c.GetProperty("state").GetString());
            Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("message").GetString()));
            Assert.True(c.TryGetProperty("value", out _) && c.TryGetProperty("threshold", out _));
        });
    }

    [Fact]
    public async Task Health_AfterAnOverride_StillJudgesTheSplitSinceThePercentChange()
    {
        await SendTrafficAsync();

        var overridden = await Cutover("override", "250788100001", "unified", "--reason", "QA phone");
        var run = await Cutover("health", "--json");

        Assert.Equal(0, overridden.ExitCode);
        Assert.Equal(0, run.ExitCode);
        var split = JsonDocument.Parse(run.Out).RootElement.GetProperty("checks").EnumerateArray()
            .Single(static c => c.GetProperty("name").GetString() == "split");
        Assert.Equal("ok", split.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Health_UnifiedFailing_Exit2AndTheRootSummaryNamesIt()
    {
        _upstreams.Respond("unified", 503);
        await SendTrafficAsync();

        var run = await Cutover("health");
        using var root = await _router.Http.GetAsync("", TestContext.Current.CancellationToken);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("critical", run.Out);
        Assert.Contains("error_rate", run.Out);
        var summary = JsonDocument.Parse(await root.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal("critical", summary.GetProperty("health").GetString());
        Assert.Contains(summary.GetProperty("findings").EnumerateArray(), static f => f.GetString()!.StartsWith("error_rate:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Health_RightAfterAChange_InsufficientDataExit1()
    {
        await Cutover("set", "50", "--reason", "health test");

        var run = await Cutover("health", "--json");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("insufficient_data", JsonDocument.Parse(run.Out).RootElement.GetProperty("state").GetString());
    }

    /// <summary>50% set at 09:00:10; 300 messages spread over 09:01-09:05, the minutes after the change.</summary>
    private async Task SendTrafficAsync()
    {
        Assert.Equal(0, (await Cutover("set", "50", "--reason", "health test")).ExitCode);
        _time.Advance(TimeSpan.FromSeconds(50));
        for (var i = 0; i < 300; i++)
        {
            using var response = await _router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text($"2507881{i:D5}", Texts[i % Texts.Length])));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        await _router.WaitForDecisionsAsync(300);
    }

    private Task<CliRun> Cutover(params string[] args) => CliRun.InvokeAsync([.. args, "--url", _router.Address.ToString(), "--token", Token]);
}
