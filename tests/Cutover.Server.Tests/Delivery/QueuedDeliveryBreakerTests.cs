using System.Net;
using Cutover.Core.Delivery;
using Cutover.Server.Delivery;
using Cutover.Server.Tests.Support;
using Cutover.Store;
using Cutover.Testing;

namespace Cutover.Server.Tests.Delivery;

/// <summary>
/// Circuit breakers in queued delivery: a dead unified is probed, not hammered (its updates go straight to legacy), and
/// an update held back by an open circuit does not outlive <c>Delivery:MaxAge</c>. Real router, SQLite, real upstreams.
/// </summary>
[Collection(QueuedServers.Name)]
public sealed class QueuedDeliveryBreakerTests : RouterTest
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Cutover:Delivery:Mode"] = "queued";
        settings["Cutover:Delivery:RetryBase"] = "00:00:00.010";
        settings["Cutover:Delivery:RetryCap"] = "00:00:00.020";
        settings["Cutover:Delivery:MaxAttempts"] = "100";
        settings["Cutover:Delivery:MaxAge"] = "00:00:02";
        settings["Cutover:Delivery:PollInterval"] = "00:00:00.020";
        settings["Cutover:Delivery:BreakAfterFailures"] = "2";
        settings["Cutover:Delivery:BreakDuration"] = "00:01:00";
    }

    private IDeliveryStore Store => Router.Service<IDeliveryStore>();

    [Fact]
    public async Task UnifiedDown_AfterTheBreakerOpens_UpdatesGoStraightToLegacy()
    {
        // arrange: unified failing until its circuit opens (2 failures in a row)
        Upstreams.Respond("unified", 503);
        await Router.SetPercentAsync(100);
        var gates = Router.Service<UpstreamGates>();
        await PostAsync("250788300000");
        await PostAsync("250788300001");
        await Eventually.WaitAsync(() => gates.Snapshot(DateTimeOffset.UtcNow).Single(g => g.Upstream == "unified").State == CircuitState.Open,
            Wait, "unified's circuit to open");
        var askedBefore = Upstreams.For("unified").Count;

        // act: twenty more users' messages
        for (var i = 0; i < 20; i++)
        {
            await PostAsync($"2507884{i:D5}");
        }

        await Eventually.WaitAsync(async () => (await Store.QueueStatsAsync(Cancel)).Delivered == 22, Wait, "every message delivered");

        // assert: legacy took them all; unified was not asked again while its circuit was open
        Assert.Equal(22, Upstreams.For("jobs").Count);
        Assert.Equal(askedBefore, Upstreams.For("unified").Count);
        await Router.WaitForDecisionsAsync(22);
        var decisions = await Router.DecisionsAsync();
        Assert.All(decisions, d => Assert.True(d.Fallback && d.Success));
        Assert.Equal(20, decisions.Count(d => d.Error == "unified circuit open (not tried)"));
    }

    private async Task PostAsync(string user)
    {
        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text(user, "job")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task EveryUpstreamDown_CircuitOpenLongerThanMaxAge_DeadLetteredAsMaxAge()
    {
        // arrange: both fail; after two failures each, both circuits stay open for a minute, longer than MaxAge (2 s)
        Upstreams.Respond("unified", 500);
        Upstreams.Respond("jobs", 500);
        await Router.SetPercentAsync(100);

        // act
        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788400001", "job")));
        await Eventually.WaitAsync(async () => (await Store.QueueStatsAsync(Cancel)).Dead == 1, Wait, "a dead letter");

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var letter = Assert.Single(await Store.ListDeadLettersAsync(new DeadLetterQuery(), Cancel));
        Assert.Equal(DeadLetterReasons.MaxAge, letter.Reason);
        Assert.Contains("circuit", letter.Error);
        Assert.Equal(2, Upstreams.For("jobs").Count);
    }
}
