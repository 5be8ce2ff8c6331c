using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Cutover.Server.Rollout;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.Rollout;

public sealed class NotificationTests : RouterTest
{
    private readonly string _refusing = FreePort.RefusingUrl();

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Cutover:Notifications:Urls:0"] = Upstreams.UrlOf("hooks");
        settings["Cutover:Notifications:Urls:1"] = _refusing;
        settings["Cutover:Notifications:FirstRetryDelay"] = "00:00:00.050";
        settings["Cutover:Notifications:Attempts"] = "4";
    }

    [Fact]
    public async Task RolloutEvents_PostedWithSlackText_RetriedUntilTaken_AndADeadUrlBlocksNothing()
    {
        // arrange: the hook fails its first try
        Upstreams.Respond("hooks", 503);

        // act
        var clock = Stopwatch.StartNew();
        using var start = await Router.AdminAsync(HttpMethod.Post, "admin/rollout/start", """{"reason": "week 6"}""");
        var answeredIn = clock.Elapsed;
        await Upstreams.WaitForCountAsync(1, TimeSpan.FromSeconds(10));
        Upstreams.Respond("hooks", 200);
        await Eventually.WaitAsync(() => Upstreams.For("hooks").Count >= 2, TimeSpan.FromSeconds(10), "the retry");
        using var rollback = await Router.AdminAsync(HttpMethod.Post, "admin/rollback", """{"reason": "unified p95 at 4 s"}""");
        await Eventually.WaitAsync(() => Upstreams.For("hooks").Any(static h => EventOf(h) == "rollback"), TimeSpan.FromSeconds(10), "the rollback event");

        // assert
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        Assert.True(answeredIn < TimeSpan.FromSeconds(5), $"the command waited {answeredIn} for notifications");
        var hooks = Upstreams.For("hooks");
        var starts = hooks.Where(static h => EventOf(h) == "rollout_start").ToList();
        Assert.True(starts.Count >= 2, "the start event is retried after the 503");
        Assert.All(starts, s => Assert.Equal(starts[0].Body, s.Body)); // the same event each time
        var started = JsonDocument.Parse(starts[^1].Body).RootElement;
        Assert.Equal("rollout_start", started.GetProperty("event").GetString());
        Assert.Equal(("soaking", 1, 10m), (started.GetProperty("rollout").GetProperty("state").GetString(),
            started.GetProperty("rollout").GetProperty("step").GetInt32(), started.GetProperty("rollout").GetProperty("percent").GetDecimal()));
        Assert.Contains("Cutover rollout start", started.GetProperty("text").GetString());
        Assert.Contains("week 6", started.GetProperty("text").GetString());
        var rollbackHook = Assert.Single(hooks, static h => EventOf(h) == "rollback");
        var rolledBack = JsonDocument.Parse(rollbackHook.Body).RootElement;
        Assert.Equal("rollback", rolledBack.GetProperty("event").GetString());
        Assert.Equal(JsonValueKind.Object, rolledBack.GetProperty("metrics").ValueKind);
        Assert.Contains("unified p95 at 4 s", rolledBack.GetProperty("text").GetString());
        Assert.Equal("application/json", rollbackHook.Header("Content-Type"));

        var notifier = Router.Service<RolloutNotifier>();
        // The hook records a request before the notifier counts it sent: wait until every queued event is settled.
        await Eventually.WaitAsync(() => notifier.Counters.Sent + notifier.Counters.Failed == notifier.Queued, TimeSpan.FromSeconds(20),
            "every event sent or given up");
        Assert.Equal((2L, 2L, 4L), (notifier.Counters.Sent, notifier.Counters.Failed, notifier.Queued));
    }

    private static string? EventOf(ReceivedRequest request) => JsonDocument.Parse(request.Body).RootElement.GetProperty("event").GetString();
}
