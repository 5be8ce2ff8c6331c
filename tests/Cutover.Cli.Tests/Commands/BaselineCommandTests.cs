using System.Text.Json;
using Cutover.Cli.Tests.Support;
using Cutover.Testing;

namespace Cutover.Cli.Tests.Commands;

public sealed class BaselineCommandTests : CliTest
{
    [Fact]
    public async Task Capture_LegacyPerDomain_ThenStatsAndHealthHoldUnifiedAgainstIt()
    {
        // arrange: legacy-only traffic, as before a migration
        for (var i = 0; i < 30; i++)
        {
            using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text($"2507882{i:D5}", i % 2 == 0 ? "a job please" : "apartment for rent")));
        }

        await Router.WaitForDecisionsAsync(30);

        // act
        var capture = await Cutover("baseline", "capture", "--window", "1h", "--reason", "before week 6", "--json");
        var show = await CutoverAs(ReadToken, "baseline", "show");
        var stats = await Cutover("stats", "--json");
        var health = await Cutover("health", "--json");

        // assert
        Assert.True(capture.ExitCode == 0, capture.Error);
        var baseline = JsonDocument.Parse(capture.Out).RootElement;
        Assert.Equal(("1h", "alice", "before week 6"), (baseline.GetProperty("window").GetString(), baseline.GetProperty("actor").GetString(), baseline.GetProperty("reason").GetString()));
        Assert.Equal(30, baseline.GetProperty("total").GetProperty("request_count").GetInt64());
        Assert.Equal(["jobs", "property"], baseline.GetProperty("domains").EnumerateArray().Select(static d => d.GetProperty("domain").GetString()).Order());
        Assert.Contains("before week 6", show.Out);
        Assert.Equal(baseline.GetProperty("id").GetInt64(), JsonDocument.Parse(stats.Out).RootElement.GetProperty("baseline").GetProperty("id").GetInt64());
        Assert.Contains(JsonDocument.Parse(health.Out).RootElement.GetProperty("checks").EnumerateArray(),
            static c => c.GetProperty("name").GetString() == "unified_vs_baseline");
    }

    [Fact]
    public async Task Capture_WhileUnifiedTakesTraffic_WarnsThatTheBaselineShouldBeLegacyAlone_AndCaptures()
    {
        await PostLegacyTrafficAsync();
        var set = await Cutover("set", "35", "--domain", "jobs", "--reason", "jobs first");

        var capture = await Cutover("baseline", "capture", "--window", "1h", "--reason", "late");

        Assert.True(set.ExitCode == 0, set.Error);
        Assert.True(capture.ExitCode == 0, capture.ToString());
        var warning = Assert.Single(capture.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("cutover: warning: unified already takes traffic (jobs 35.00%): the baseline should describe legacy alone, "
            + "before any user moves; it is captured anyway", warning);
    }

    [Fact]
    public async Task Capture_AtZeroPercent_NoWarning()
    {
        await PostLegacyTrafficAsync();

        var capture = await Cutover("baseline", "capture", "--window", "1h", "--reason", "before week 6");

        Assert.True(capture.ExitCode == 0, capture.ToString());
        Assert.Equal(string.Empty, capture.Error);
    }

    [Fact]
    public async Task Capture_NoLegacyTraffic_RefusedSayingWhy()
    {
        var run = await Cutover("baseline", "capture");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("legacy took no requests", run.Error);
    }

    [Fact]
    public async Task Show_NoneCaptured_SaysHowToCaptureOne()
    {
        var run = await Cutover("baseline", "show");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("cutover baseline capture", run.Error);
    }

    private async Task PostLegacyTrafficAsync()
    {
        for (var i = 0; i < 10; i++)
        {
            using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text($"2507883{i:D5}", "a job please")));
        }

        await Router.WaitForDecisionsAsync(10);
    }
}
